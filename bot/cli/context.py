"""What every command needs: settings, the database, the clock, and the catalog language."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import wraps

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.cli.output import fail, set_language
from bot.log_redaction import protect
from bot.clock import FakeNowClock, SystemClock
from bot.services.errors import ServiceError
from bot.settings import Settings
from storage.unit_of_work import Database

CLI_ACTOR = "cli"


def load_settings() -> Settings:
    settings = Settings()
    set_language(settings.default_language.value)
    protect_secrets(settings)
    return settings


def protect_secrets(settings: Settings) -> None:
    """Register every secret of the settings with the log scrubber before anything runs (bot/log_redaction.py)."""
    secrets = [s.get_secret_value() for s in (settings.telegram_bot_token, settings.webhook_secret,
                                               settings.whatsapp_token, settings.whatsapp_app_secret,
                                               settings.whatsapp_verify_token, settings.presence_check_secret) if s]
    if settings.telegram_bot_token:
        # The part after the id is the secret one; masked alone it is caught even where the ':' is encoded.
        secrets.append(settings.telegram_bot_token.get_secret_value().partition(":")[2])
    for url in (settings.database_url, settings.redis_url):
        if url:
            secrets.append(make_url(url).password if "://" in url else None)
    protect(secrets)


def open_database(settings: Settings) -> Database:
    return Database(settings.database_url, schema=settings.database_schema)


def shown_url(url: str) -> str:
    """The database URL with any password masked: secrets never reach the terminal or the logs."""
    return make_url(url).render_as_string(hide_password=True)


_clocks: dict = {}


def clock():
    """The system's clock, or FAKE_NOW's (one per value, so a process's commands share it)."""
    fake = load_settings().fake_now
    if fake not in _clocks:
        _clocks[fake] = FakeNowClock(fake) if fake else SystemClock()
    return _clocks[fake]


def run_async(command: Callable[..., Awaitable]):
    """Run an async command body; a ServiceError becomes a polite message on stderr and exit 1."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return asyncio.run(command(*args, **kwargs))
        except ServiceError as exc:
            raise fail(exc.code, **exc.params) from None
        except DBAPIError as exc:
            # The driver's own words (first line only: no SQL parameters, no secrets) and what to try.
            reason = str(exc.orig).splitlines()[0][:200] if exc.orig else type(exc).__name__
            raise fail("cli.db_error", reason=reason) from None
        except OSError as exc:
            raise fail("cli.db_unreachable", reason=exc.strerror or type(exc).__name__) from None

    return wrapper
