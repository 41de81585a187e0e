"""Invite codes: 80 random bits in Crockford base32 (16 characters, no 0/O or 1/I confusion),
which fit Telegram's deep-link `start` parameter and are easy to read out over the phone.
Only a SHA-256 of the code is stored: with 80 bits of randomness no salt or slow hash is needed."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from enum import StrEnum
from urllib.parse import quote

from bot.domain.org_terms import Channel

CODE_BITS = 80
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = {"O": "0", "I": "1", "L": "1", "U": "V"}


def new_code() -> str:
    value = secrets.randbits(CODE_BITS)
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(CODE_BITS - 5, -1, -5))


def normalize_code(text: str) -> str:
    """What a person typed or a link carried, folded the way Crockford base32 reads it."""
    folded = "".join(ch for ch in text.strip().upper() if ch.isalnum())
    return "".join(_READ_AS.get(ch, ch) for ch in folded)


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    code = normalize_code(text)
    return len(code) == CODE_BITS // 5 and all(ch in _ALPHABET for ch in code)


class InviteState(StrEnum):
    VALID = "valid"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


def invite_state(expires_at: dt.datetime, used_at, revoked_at, now: dt.datetime) -> InviteState:
    if used_at is not None:
        return InviteState.USED
    if revoked_at is not None:
        return InviteState.REVOKED
    if now >= expires_at:
        return InviteState.EXPIRED
    return InviteState.VALID


def invite_link(channel: Channel, code: str, *, telegram_username: str | None, whatsapp_number: str | None) -> str:
    if channel is Channel.TELEGRAM:
        return f"https://t.me/{telegram_username}?start={code}"
    number = "".join(ch for ch in (whatsapp_number or "") if ch.isdigit())
    return f"https://wa.me/{number}?text={quote(code)}"
