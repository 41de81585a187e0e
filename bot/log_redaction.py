"""Secrets never reach a log: the bot token (aiogram builds it into every request URL, and network errors
quote that URL), the webhook secret, the WhatsApp token, app secret and verify token, the presence-check
secret. They are registered once at start-up (`protect`), and every log record made afterwards, by Apel or
by a library at any level, has them replaced before any handler sees it.

A record factory rather than a handler filter: it covers every logger and every handler (a library's own,
pytest's capture, a future Sentry), and it costs nothing for records below the enabled level, which are
never made."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable

MASK = "<secret>"
MIN_LENGTH = 6  # shorter "secrets" would mask ordinary words; settings refuse none that short in practice

_secrets: list[str] = []
_previous_factory = None


def protect(values: Iterable[str | None]) -> None:
    """Mask these values in every log record from now on (empty ones are ignored)."""
    global _previous_factory
    for value in values:
        if value and len(value) >= MIN_LENGTH and value not in _secrets:
            _secrets.append(value)
    _secrets.sort(key=len, reverse=True)  # a secret containing another is masked whole
    if _previous_factory is None and _secrets:
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_scrubbing_factory)


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, MASK)
    return text


def _scrubbing_factory(*args, **kwargs) -> logging.LogRecord:
    record = _previous_factory(*args, **kwargs)
    _scrub(record)
    return record


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is the logging module's to report, as it was
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        clean = redact(text)
        if clean != text:
            # The formatted traceback stands in for the exception, which still holds the secret.
            record.exc_text, record.exc_info = clean, None
