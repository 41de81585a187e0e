"""Parsing one org-chart cell. Each parser returns the value or raises CellError with a catalog code."""

from __future__ import annotations

from dataclasses import dataclass, field

import phonenumbers

from bot.domain.org_terms import (
    FALSE_WORDS,
    LANGUAGE_ALIASES,
    RANK_ALIASES,
    ROLE_ALIASES,
    TIMEZONES,
    TRUE_WORDS,
    UNIT_KIND_ALIASES,
    Language,
    Rank,
    Role,
    UnitKind,
    slug,
)

MIN_HOME_RADIUS_M = 10
MAX_HOME_RADIUS_M = 5000


@dataclass(frozen=True)
class CellError(ValueError):
    code: str
    params: dict = field(default_factory=dict)


def _lookup(raw: str, table: dict, code: str):
    value = table.get(slug(raw))
    if value is None:
        raise CellError(code, {"value": raw.strip()})
    return value


def parse_rank(raw: str) -> Rank:
    return _lookup(raw, RANK_ALIASES, "cell.bad_rank")


def parse_unit_kind(raw: str) -> UnitKind:
    return _lookup(raw, UNIT_KIND_ALIASES, "cell.bad_unit_kind")


def parse_role(raw: str) -> Role:
    return _lookup(raw, ROLE_ALIASES, "cell.bad_role")


def parse_language(raw: str) -> Language:
    return _lookup(raw, LANGUAGE_ALIASES, "cell.bad_language")


def parse_timezone(raw: str) -> str:
    zone = TIMEZONES.get(raw.strip().lower())
    if zone is None:
        raise CellError("cell.bad_timezone", {"value": raw.strip()})
    return zone


def parse_bool(raw: str) -> bool:
    word = slug(raw)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("cell.bad_bool", {"value": raw.strip()})


def parse_phone(raw: str) -> str:
    """E.164, e.g. +6281234567890; local Indonesian forms (0812…, 62812…) are normalised."""
    text = raw.strip().lstrip("'")
    if text.startswith("62") and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        raise CellError("cell.bad_phone", {"value": raw.strip()}) from None
    if not phonenumbers.is_valid_number(number):
        raise CellError("cell.bad_phone", {"value": raw.strip()})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_number(raw: str) -> float:
    text = raw.strip().replace(" ", "")
    # Indonesian spreadsheets write decimals with a comma: -6,2088
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise CellError("cell.not_a_number", {"value": raw.strip()}) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise CellError("cell.not_a_number", {"value": raw.strip()})
    return value


def parse_latitude(raw: str) -> float:
    value = parse_number(raw)
    if not -90.0 <= value <= 90.0:
        raise CellError("cell.lat_out_of_range", {"value": raw.strip()})
    return value


def parse_longitude(raw: str) -> float:
    value = parse_number(raw)
    if not -180.0 <= value <= 180.0:
        raise CellError("cell.lon_out_of_range", {"value": raw.strip()})
    return value


def parse_radius(raw: str) -> int:
    value = parse_number(raw)
    if not MIN_HOME_RADIUS_M <= value <= MAX_HOME_RADIUS_M:
        raise CellError(
            "cell.radius_out_of_range",
            {"value": raw.strip(), "min": MIN_HOME_RADIUS_M, "max": MAX_HOME_RADIUS_M},
        )
    return round(value)
