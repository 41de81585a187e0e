"""A sender process's local, append-only record of its sends, read back when it starts again.

The database learns that a message was sent a few milliseconds after Telegram answered (the sender's
recorder commits in groups); a process killed in between would leave it `sending`, and after STALE_AFTER
it would go out again. The journal closes that gap for a sender restarted on the same host, and tells
apart what the database cannot: a claimed message that was never tried (requeued as it was), one tried
without an answer (may have arrived: uncertain), one sent (recorded as sent).

Lines: `w <worker>` (this run claims as <worker>), `a <id>` (about to send), `s <id> <parts>` (sent),
`d <id>` (the outcome is in the database). Written with one unbuffered write each: a killed process
loses nothing the kernel took (a power cut may; then the stale recovery still applies). Several senders
on one host take different files: a file is held with an exclusive lock while its sender runs."""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

FILES_PER_PATH = 16  # senders on one host sharing one JOURNAL setting: path, path.1, … path.15


@dataclass
class Replayed:
    workers: set[str] = field(default_factory=set)  # names the previous runs claimed under
    attempted: set[int] = field(default_factory=set)  # tried, no outcome known
    sent: dict[int, int] = field(default_factory=dict)  # id -> parts sent


class SendJournal:
    def __init__(self, path: Path, fd: int):
        self.path, self._fd = path, fd

    @classmethod
    def take(cls, path: Path) -> SendJournal | None:
        """The first of path, path.1, … that no running sender holds; None (logged) when all are held."""
        for n in range(FILES_PER_PATH):
            candidate = path if n == 0 else path.with_name(f"{path.name}.{n}")
            fd = os.open(candidate, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return cls(candidate, fd)
        log.warning("every send journal at %s is held by a running sender; sending without one", path)
        return None

    def replay(self) -> Replayed:
        state = Replayed()
        with open(self.path, encoding="ascii", errors="replace") as f:
            for line in f:
                kind, _, rest = line.rstrip("\n").partition(" ")
                try:
                    if kind == "w":
                        state.workers.add(rest)
                    elif kind == "a":
                        state.attempted.add(int(rest))
                    elif kind == "s":
                        item, parts = rest.split()
                        state.sent[int(item)] = int(parts)
                        state.attempted.discard(int(item))
                    elif kind == "d":
                        state.attempted.discard(int(rest))
                except ValueError:
                    continue  # the last line of a killed process may be cut short
        return state

    def start(self, worker: str) -> None:
        """After a replay was applied to the database: a fresh journal for this run."""
        os.ftruncate(self._fd, 0)
        self._write(f"w {worker}\n")

    def attempting(self, item_id: int) -> None:
        self._write(f"a {item_id}\n")

    def sent(self, item_id: int, parts: int) -> None:
        self._write(f"s {item_id} {parts}\n")

    def decided(self, item_id: int) -> None:
        self._write(f"d {item_id}\n")

    def _write(self, line: str) -> None:
        os.write(self._fd, line.encode("ascii"))

    def close(self) -> None:
        os.close(self._fd)  # releases the lock
