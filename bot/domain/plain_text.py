"""Text people type or put in a sheet, before it is stored: what no column may hold.

PostgreSQL refuses a NUL character in text outright (the whole transaction fails), and the other C0
controls are invisible noise that only ever arrives by accident or on purpose. Line breaks and tabs
are kept: a report summary may have paragraphs. Lone surrogates become U+FFFD for the same reason."""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone surrogate (a file name that was not UTF-8, decoded leniently) cannot be encoded for storage.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# A cell that Excel or LibreOffice would run as a formula when an export or invite list is opened
# (CSV injection); no name, position or unit starts like that.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def without_controls(text: str | None) -> str | None:
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text)) if text else text


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)
