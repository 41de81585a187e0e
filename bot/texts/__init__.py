"""User-facing text, from catalogs: `id.toml` (Bahasa Indonesia, the default) and `en.toml`, each with
its parts per area (`id.presence.toml`, `en.presence.toml`...) merged in; a key defined twice is an error.

Keys are dotted (`row.unknown_supervisor`); values are `str.format` templates. A test keeps the two
catalogs in step (same keys, same placeholders). Dates are formatted by Babel the Indonesian way.

`{count:@person has|people have}` is the count's word in the language's plural rule (CLDR, through Babel):
English needs it ("1 people have not reported" read badly); Indonesian nouns do not change with a number."""

from __future__ import annotations

import datetime as dt
import string
import tomllib
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import get_day_names
from babel.numbers import format_decimal

LANGUAGES = ("id", "en")
DEFAULT = "id"
_HERE = Path(__file__).parent


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


@cache
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in [_HERE / f"{lang}.toml", *sorted(_HERE.glob(f"{lang}.*.toml"))]:
        with open(path, "rb") as f:
            part = _flatten(tomllib.load(f))
        twice = sorted(set(part) & set(merged))
        if twice:
            raise ValueError(f"{path.name} defines keys already defined: {', '.join(twice[:5])}")
        merged.update(part)
    return merged


def _lang(lang) -> str:
    value = str(lang.value if hasattr(lang, "value") else lang or DEFAULT)
    return value if value in LANGUAGES else DEFAULT


class _Plurals(string.Formatter):
    """`{n:@one|other}`: the form for n's plural category in the language; any other spec as str.format."""

    def __init__(self, lang: str):
        self.locale = Locale.parse(lang)

    def format_field(self, value, format_spec: str) -> str:
        if not format_spec.startswith("@"):
            return super().format_field(value, format_spec)
        forms = format_spec[1:].split("|")
        try:
            category = self.locale.plural_form(abs(int(value)))
        except (TypeError, ValueError):
            category = "other"
        return forms[0] if category == "one" and len(forms) > 1 else forms[-1]


@cache
def _plurals(lang: str) -> _Plurals:
    return _Plurals(lang)


def text(lang, key: str, **params) -> str:
    """The text for `key` in `lang`; Indonesian if the English entry is missing, the key if both are."""
    lang = _lang(lang)
    template = catalog(lang).get(key) or catalog(DEFAULT).get(key) or key
    try:
        if ":@" in template:  # rare: the plain str.format stays the quick path
            return _plurals(lang).format(template, **params)
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def format_date(day: dt.date, lang) -> str:
    """'Senin, 23 November 2026' (id) / 'Monday, 23 November 2026' (en)."""
    return _babel_date(day, format="EEEE, d MMMM y", locale=_lang(lang))


def format_weekday_short(weekday: int, lang) -> str:
    """'Sen' (Monday is 0, as in `date.weekday()`)."""
    return get_day_names("abbreviated", locale=_lang(lang))[weekday]


def format_month(day: dt.date, lang) -> str:
    """'Desember 2026' (id) / 'December 2026' (en): the month of `day`."""
    return _babel_date(day, format="LLLL y", locale=_lang(lang))


def format_datetime(moment: dt.datetime, timezone: str, lang) -> str:
    """'Senin, 23 November 2026 07.30 WIB': in the unit's zone, with its Indonesian abbreviation."""
    local = moment.astimezone(ZoneInfo(timezone))
    stamp = _babel_datetime(local, format="EEEE, d MMMM y HH.mm", locale=_lang(lang))
    return f"{stamp} {ZONE_ABBREVIATIONS.get(timezone, timezone)}"


ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def format_clock(moment: dt.datetime, timezone: str) -> str:
    """'16.00 WIB': the Indonesian way of writing a time, in the unit's zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%H.%M} {ZONE_ABBREVIATIONS.get(timezone, timezone)}"


def format_km(km: float, lang) -> str:
    """'5,6' in Indonesian, '5.6' in English: kilometres with one decimal, for texts that say 'km' themselves."""
    return format_decimal(km, format="#,##0.0", locale=_lang(lang))


def format_distance(metres: float, lang) -> str:
    """'850 m' or '1,2 km' (Indonesian decimal comma): how far a check-in or a new home is."""
    if metres < 1000:
        return f"{round(metres)} m"
    return f"{format_km(metres / 1000, lang)} km"
