"""NIP: the 18-digit number of an Indonesian civil servant (Nomor Induk Pegawai).

Layout (BKN): YYYYMMDD birth date, YYYYMM appointment (TMT CPNS), 1 gender digit (1 male, 2 female),
3 digits sequence. Spreadsheets often show it grouped with spaces ("19850312 201001 1 003") or
prefixed with an apostrophe to keep Excel from turning it into a number; both are accepted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class NipError(ValueError):
    """Why a NIP is malformed; `code` is a key of the texts catalog."""

    code: str


def normalize_nip(raw: str) -> str:
    text = raw.strip().lstrip("'")
    return "".join(text.split())


def parse_nip(raw: str) -> str:
    """Return the normalised NIP or raise NipError."""
    nip = normalize_nip(raw)
    if not nip:
        raise NipError("nip.empty")
    # Excel keeps 15 significant digits of a number: an 18-digit NIP typed as a number is already lost.
    if "e+" in nip.lower() or "." in nip:
        raise NipError("nip.stored_as_number")
    if len(nip) != 18 or not nip.isascii() or not nip.isdigit():
        raise NipError("nip.not_18_digits")
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise NipError("nip.bad_birth_date") from None
    appointed_year, appointed_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= appointed_month <= 12 or appointed_year < birth.year:
        raise NipError("nip.bad_appointment")
    if nip[14] not in "12":
        raise NipError("nip.bad_gender_digit")
    return nip


def birth_date(nip: str) -> dt.date:
    return dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
