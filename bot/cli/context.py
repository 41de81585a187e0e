"""What every command needs: settings, the database, the clock, and the catalog language."""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path

import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.cli.files import os_reason
from bot.cli.config_errors import database_url_problem, problems_language, settings_problems
from bot.cli.output import current_language, fail, fail_lines, set_language
from bot.log_redaction import protect
from bot.clock import FakeNowClock, SystemClock
from bot.domain.schedule import local_date
from bot.services.errors import ServiceError
from bot.settings import Settings
from storage.database import is_sqlite
from storage.unit_of_work import Database

CLI_ACTOR = "cli"


def load_settings() -> Settings:
    """The settings, or a line per broken one on stderr and exit 1 (the exit code of the other
    configuration errors, such as WEBHOOK_URL without WEBHOOK_SECRET)."""
    try:
        settings = Settings()
    except ValidationError as exc:
        lang = problems_language()
        set_language(lang)
        raise fail_lines(settings_problems(exc, lang)) from None
    set_language(settings.default_language.value)
    problem = database_url_problem(settings.database_url, settings.default_language.value)
    if problem:
        raise fail_lines([problem])
    protect_secrets(settings)
    return settings


def protect_secrets(settings: Settings) -> None:
    """Register every secret of the settings with the log scrubber before anything runs (bot/log_redaction.py)."""
    secrets = [s.get_secret_value() for s in (settings.telegram_bot_token, settings.webhook_secret,
                                               settings.whatsapp_token, settings.whatsapp_app_secret,
                                               settings.whatsapp_verify_token, settings.presence_check_secret,
                                               settings.pseudonym_secret) if s]
    if settings.telegram_bot_token:
        # The part after the id is the secret one; masked alone it is caught even where the ':' is encoded.
        secrets.append(settings.telegram_bot_token.get_secret_value().partition(":")[2])
    for url in (settings.database_url, settings.redis_url):
        if url:
            secrets.append(make_url(url).password if "://" in url else None)
    protect(secrets)


def open_database(settings: Settings) -> Database:
    folder = sqlite_folder(settings.database_url)
    if folder is not None and not folder.is_dir():
        # SQLite would only say "unable to open database file", and aiosqlite's thread a traceback.
        raise ServiceError("cli.db_folder_missing", path=make_url(settings.database_url).database, folder=str(folder))
    return Database(settings.database_url, schema=settings.database_schema)


def sqlite_folder(url: str) -> Path | None:
    """The folder of an SQLite database file; None for a server database or an in-memory one."""
    if not is_sqlite(url):
        return None
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).expanduser().absolute().parent


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


def office_today() -> dt.date:
    """Today in the office's zone (DEFAULT_TIMEZONE), what a command means by "today": the server runs in
    UTC, whose date is still yesterday's before 07.00 WIB (09.00 WIT)."""
    return local_date(clock().now(), load_settings().default_timezone)


# What a failed connection to a database server raises (asyncpg and asyncio give no wrapper).
_CONNECTION_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.ETIMEDOUT,
                      errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


def _is_connection_error(exc: OSError) -> bool:
    return (isinstance(exc, (ConnectionRefusedError, ConnectionResetError, ConnectionAbortedError, TimeoutError,
                             socket.gaierror))
            or exc.errno in _CONNECTION_ERRNOS
            # asyncio's create_connection, having tried every address of the host.
            or (exc.errno is None and str(exc).startswith("Multiple exceptions")))


def _stdout_closed() -> typer.Exit:
    """`apel export --out - | head`: the reader has what it wanted. Later writes (and the flush at exit)
    go to /dev/null so that Python does not report the broken pipe once more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (a test's captured output)
        pass
    # 141 = 128 + SIGPIPE, what a shell reports for `yes | head`: quiet, yet `set -o pipefail` still sees
    # that the output was cut short.
    return typer.Exit(141)


def _refusal(reason: str, schema: str | None) -> str:
    """The catalog line for a database's refusal: `apel db upgrade` is suggested only where it helps (a
    missing table), not for a missing schema, database or role, which it would fail on the same way."""
    if schema and ("no schema has been selected" in reason or f'schema "{schema}" does not exist' in reason):
        return "cli.db_schema_missing"
    if "no such table" in reason or ("relation" in reason and "does not exist" in reason):
        return "cli.db_error"
    return "cli.db_refused"


def run_async(command: Callable[..., Awaitable]):
    """Run an async command body; a ServiceError becomes a polite message on stderr and exit 1."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            result = asyncio.run(command(*args, **kwargs))
            sys.stdout.flush()  # a closed pipe shows here, not in Python's flush at exit
            return result
        except ServiceError as exc:
            raise fail(exc.code, **exc.worded(current_language())) from None
        except DBAPIError as exc:
            # The driver's own words (first line only: no SQL parameters, no secrets) and what to try.
            reason = str(exc.orig).splitlines()[0][:200] if exc.orig else type(exc).__name__
            settings = load_settings()
            if is_sqlite(settings.database_url) and "unable to open database file" in reason:
                raise fail("cli.db_file_unopenable", path=make_url(settings.database_url).database) from None
            raise fail(_refusal(reason, settings.database_schema), reason=reason,
                       schema=settings.database_schema or "") from None
        except BrokenPipeError:
            raise _stdout_closed() from None
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            if exc.filename is not None:
                raise fail("cli.file_error", path=str(exc.filename), reason=os_reason(exc)) from None
            if _is_connection_error(exc):
                raise fail("cli.db_unreachable", reason=reason) from None
            raise fail("cli.os_error", reason=reason) from None

    return wrapper
