"""What every command needs: settings, the database, the clock, and the catalog language."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import wraps

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.cli.output import fail, set_language
from bot.clock import FakeNowClock, SystemClock
from bot.services.errors import ServiceError
from bot.settings import Settings
from storage.unit_of_work import Database

CLI_ACTOR = "cli"


def load_settings() -> Settings:
    settings = Settings()
    set_language(settings.default_language.value)
    return settings


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
