"""What a person asks leave for: a duration (izin keluar rumah, starting now) or a range of days
(cuti, sakit, DL), as typed in chat or chosen with a button. Pure parsing; None means "not understood"
and the caller answers politely without storing anything."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MIN_OUTING = dt.timedelta(minutes=5)
MAX_OUTING = dt.timedelta(hours=4)  # longer than half a working day is leave, not a short permission
MAX_LEAVE_DAYS = 30  # calendar days from the first to the last; a longer absence goes through HR
MAX_AHEAD_DAYS = 90  # how far ahead a request may start
DURATION_BUTTONS = (30, 60, 120)  # minutes
DAY_BUTTONS = (1, 2, 3)  # workdays, today first
# The dates Apel reasons about, typed or in a button: from 1946 (the national calendar's first year, as the
# export's months) to the year before the last a date can hold, whose next day or month's end must exist.
FIRST_YEAR, LAST_YEAR = 1946, dt.MAXYEAR - 1


def on_calendar(day: dt.date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR

_UNITS = {
    "menit": 1, "mnt": 1, "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
    "jam": 60, "j": 60, "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)")


def parse_duration(text: str) -> dt.timedelta | None:
    """'45 menit', '1,5 jam', '1 jam 30 menit', '2h' -> a duration within MIN_OUTING..MAX_OUTING."""
    folded = " ".join((text or "").lower().split())
    if not folded:
        return None
    total, pos = 0.0, 0
    for match in _PART.finditer(folded):
        if folded[pos:match.start()].strip(" ,+dan"):  # only separators between parts
            return None
        factor = _UNITS.get(match.group(2))
        if factor is None:
            return None
        total += float(match.group(1).replace(",", ".")) * factor
        pos = match.end()
    if pos == 0 or folded[pos:].strip():
        return None
    duration = dt.timedelta(minutes=round(total))
    return duration if MIN_OUTING <= duration <= MAX_OUTING else None


@dataclass(frozen=True)
class DayRange:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


class DayRangeError(ValueError):
    """Why a typed range is refused: `code` is the catalog key's last part."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


_DATE = r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?"
# "s.d." (sampai dengan) is how the bot writes a range back; "s/d", "sd", "hingga", "sampai" too.
_RANGE = re.compile(rf"^{_DATE}(?:\s*(?:-|–|s\.?\s?d\.?|s/d|sampai dengan|sampai|hingga|to)\s*{_DATE})?$")


# Without a year, a date ahead means the first one from this long ago on: "05/01" typed in December is next
# January, while "30/11" typed on 2 December, or "28/12" on 2 January, is still the one just gone.
_STILL_THIS_YEAR = dt.timedelta(days=180)
_LEAP_SEARCH = 8  # years: 29 February comes back within eight (2096 -> 2104)


def _date(day: str, month: str, year: str | None, today: dt.date, *, looking_back: bool = False) -> dt.date:
    """A typed day and month in the year it means (see the module's `parse_date`); ValueError when no year
    has it (31/02)."""
    if year:
        return dt.date(int(year), int(month), int(day))
    # Ahead: from last year on, so that the December just gone is found in January.
    step, first = (-1, today.year) if looking_back else (1, today.year - 1)
    for offset in range(_LEAP_SEARCH + 2):
        try:
            found = dt.date(first + step * offset, int(month), int(day))
        except ValueError:
            continue  # 29/02 in a year that has none: the next (or last) leap year's
        if (found <= today) if looking_back else (found >= today - _STILL_THIS_YEAR):
            return found
    raise ValueError(f"no year has {day}/{month}")


_WORD_DAYS = {"besok": 1, "tomorrow": 1, "lusa": 2}  # days after today
# One date in words, as a supervisor asks for yesterday's digest ("/rekap kemarin"): days from today.
_WORD_DATES = {"hari ini": 0, "today": 0, "kemarin": -1, "yesterday": -1, **_WORD_DAYS}
_MONTHS = {
    **dict.fromkeys(("jan", "januari", "january"), 1), **dict.fromkeys(("feb", "februari", "february"), 2),
    **dict.fromkeys(("mar", "maret", "march"), 3), **dict.fromkeys(("apr", "april"), 4),
    **dict.fromkeys(("mei", "may"), 5), **dict.fromkeys(("jun", "juni", "june"), 6),
    **dict.fromkeys(("jul", "juli", "july"), 7), **dict.fromkeys(("agu", "agt", "agus", "agustus", "aug", "august"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9), **dict.fromkeys(("okt", "oktober", "oct", "october"), 10),
    **dict.fromkeys(("nov", "nopember", "november"), 11), **dict.fromkeys(("des", "desember", "dec", "december"), 12),
}
_NAMED = re.compile(r"(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?")
# The month first, as English writes it: "Nov 24", "November 24, 2026", "Dec 1st".
_MONTH_FIRST = re.compile(r"\b([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?![\d/.])(?:,?\s+(\d{4}))?")
_SHARED_MONTH = re.compile(r"^(\d{1,2})(\s*-\s*|\s*–\s*)(\d{1,2})/(\d{1,2})((?:/\d{4})?)$")  # 24-26/12


def is_month_name(word: str) -> bool:
    """'Des', 'desember', 'Dec': a word that names a month in a date written in words."""
    return word.lower() in _MONTHS


def _numeric(folded: str) -> str:
    """'24 des' -> '24/12', '24-26 des' -> '24/12-26/12', 'nov 24' -> '24/11'; a word that is not a month stays
    and fails."""
    def named(match: re.Match) -> str:
        month = _MONTHS.get(match.group(2))
        if month is None:
            return match.group(0)
        return f"{match.group(1)}/{month}" + (f"/{match.group(3)}" if match.group(3) else "")
    def month_first(match: re.Match) -> str:
        month = _MONTHS.get(match.group(1))
        if month is None:
            return match.group(0)
        return f"{match.group(2)}/{month}" + (f"/{match.group(3)}" if match.group(3) else "")
    written = _MONTH_FIRST.sub(month_first, _NAMED.sub(named, folded))
    if written == folded:
        return folded
    shared = _SHARED_MONTH.match(written)
    if shared:
        first, _, last, month, year = shared.groups()
        return f"{first}/{month}{year}-{last}/{month}{year}"
    return written


def parse_date(text: str, today: dt.date, *, looking_back: bool = False) -> dt.date | None:
    """One date as people write it: '2026-12-25', '25-12-2026', '25/12/2026', '25.12', '25 des', 'kemarin',
    'hari ini', 'besok', 'lusa'; None when it is not one. Without a year: the next such date (or one up to 180 days past, last year's too), or with
    `looking_back` (a past day's digest) the latest one not after today; '29 feb' in the leap year that
    comes next (or came last)."""
    folded = " ".join((text or "").lower().split())
    if folded in _WORD_DATES:
        return today + dt.timedelta(days=_WORD_DATES[folded])
    try:
        found = dt.date.fromisoformat(folded)
    except ValueError:
        match = re.fullmatch(_DATE, _numeric(folded))
        if not match:
            return None
        try:
            found = _date(*match.group(1, 2, 3), today, looking_back=looking_back)
        except ValueError:
            return None
    return found if on_calendar(found) else None


def parse_day_range(text: str, today: dt.date) -> DayRange:
    """'24/11' or '24/11-26/11' (also with a year, or 's.d.', 's/d', 'hingga'), 'besok', 'lusa', '24 des',
    '24-26 des' -> the days asked; raises DayRangeError."""
    folded = " ".join((text or "").lower().split())
    if folded in _WORD_DAYS:
        day = today + dt.timedelta(days=_WORD_DAYS[folded])
        return check_range(DayRange(day, day), today)
    match = _RANGE.match(_numeric(folded))
    if not match:
        raise DayRangeError("bad_days")
    try:
        first = _date(*match.group(1, 2, 3), today)
        last = _date(*match.group(4, 5, 6), today) if match.group(4) else first
    except ValueError:
        raise DayRangeError("bad_days") from None
    if last < first and not match.group(6):
        wrapped = last.replace(year=last.year + 1)  # 29/12-02/01 runs into the new year
        if (wrapped - first).days < MAX_LEAVE_DAYS:
            last = wrapped  # else it is written backwards (10/12-08/12), which check_range says
    return check_range(DayRange(first, last), today)


def check_range(asked: DayRange, today: dt.date) -> DayRange:
    if asked.last < asked.first:
        raise DayRangeError("reversed_days")
    if asked.first < today:
        raise DayRangeError("past_days")
    if asked.first > today + dt.timedelta(days=MAX_AHEAD_DAYS) or asked.days > MAX_LEAVE_DAYS:
        raise DayRangeError("too_many_days")
    return asked


def overlaps(a_first: dt.date, a_last: dt.date, b_first: dt.date, b_last: dt.date) -> bool:
    return a_first <= b_last and b_first <= a_last
