"""The values of CLI arguments and options that are read, not just passed on: dates, months, the words of
a choice with aliases. Read while the command line is parsed, so that a value that is not one is a usage
error like an unknown --format choice (exit 2, one catalog line naming the option; bot/cli/usage_errors.py),
and --help shows what the value is (`<date>`, `<libur|tutup|wfh|wfo>`) rather than `<str>`."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from bot.cli.context import office_today
from bot.domain.leave_period import parse_date
from bot.services.calendar_admin import KIND_WORDS
from bot.services.errors import ServiceError
from bot.services.month_export import parse_month

DATE_HELP = "A date (2026-12-25, 25-12-2026 or 25 Des 2026)"


class UnreadValue(ValueError):
    """A value typed on the command line that is not what the parameter reads; `code` is its catalog line,
    told with the parameter's name (`option`) and the value as typed."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _date(text: str, *, looking_back: bool) -> dt.date:
    if isinstance(text, dt.date):  # a default, already a date
        return text
    # Without a year the date depends on today, the office's (FAKE_NOW in tests and demos).
    found = parse_date(text, office_today(), looking_back=looking_back)
    if found is None:
        raise UnreadValue("cli.usage_bad_date")
    return found


def date_ahead(text: str) -> dt.date:
    """What lies ahead (leave, a calendar entry, a roster): a year-less date is the next such one."""
    return _date(text, looking_back=False)


def date_back(text: str) -> dt.date:
    """A day looked back on (a digest, the audit log): a year-less date is the latest one not after today."""
    return _date(text, looking_back=True)


def month(text: str) -> dt.date:
    """2026-11 -> its first day."""
    try:
        return parse_month(text)
    except ServiceError:
        raise UnreadValue("cli.usage_bad_month") from None


class CalendarKind(StrEnum):
    """The words of `/libur`, which --help and a refusal name; the codes (`holiday`, …) are read too."""

    LIBUR = "libur"
    TUTUP = "tutup"
    WFH = "wfh"
    WFO = "wfo"


_KIND_OF_CODE = {KIND_WORDS[k.value]: k for k in CalendarKind}


def calendar_kind(text: str) -> CalendarKind:
    code = KIND_WORDS.get(text.strip().lower()) if isinstance(text, str) else None
    if code is None:
        raise ValueError(text)  # told as any choice is: the words accepted (bot/cli/usage_errors.py)
    return _KIND_OF_CODE[code]
