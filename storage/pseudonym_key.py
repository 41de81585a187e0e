"""The deployment's key for strangers' pseudonyms in the audit log (bot/services/refusal.py).

PSEUDONYM_SECRET when set; otherwise a random key made once and kept in MEDIA_DIR/pseudonym.key
(mode 600). MEDIA_DIR, not the database: a copy of the database alone must not reverse the labels, and
MEDIA_DIR is already the state every process of a deployment shares (evidence is written and read
there), so every web process, sender and the console chat label one stranger alike, across restarts."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = "pseudonym.key"


def pseudonym_key(secret: str | None, media_dir: Path) -> bytes:
    if secret:
        return secret.encode()
    path = Path(media_dir) / KEY_FILE
    try:
        return _read(path)
    except FileNotFoundError:
        return _create(path)


def _read(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if not key:
        raise ValueError(f"{path} is empty: delete it (a new key is made) or set PSEUDONYM_SECRET")
    return key


def _create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    # Written whole under another name, then linked into place: two processes starting at once never
    # read a half-written key, and the one that loses the race takes the winner's.
    temp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(key + b"\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            return _read(path)
        return key
    finally:
        temp.unlink(missing_ok=True)
