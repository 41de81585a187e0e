"""A fault plan for the Bot API stand-in (tests/fake_bot_api.py): a seeded share of send calls fails the
ways Telegram's do, so the outbox's promises can be tested against a server that misbehaves.

    api = FakeBotApi(faults=FakeFaults(seed=7, rate=0.2, slow_s=1.5))

Kinds, drawn with equal weight for a faulted call:
- `429`: Too Many Requests with retry_after (nothing delivered);
- `500`, `502`: the server failed (nothing delivered);
- `slow`: the message IS delivered, but the answer comes only after `slow_s` — set it past the client's
  request timeout, and the client cannot tell whether the message went (Telegram may have sent it).

The draw for one call depends only on (seed, chat, text, how often this same message was sent before), not
on the order in which concurrent calls arrive, so a run is reproducible however the sender interleaves.
A message is never slow twice in a row: the outbox gives up a message whose outcome was unknown twice (it
will not risk a third copy), and the tests that use this plan want every message to end sent."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

KINDS = ("429", "500", "502", "slow")
REFUSALS = {
    "429": (429, "Too Many Requests: retry after {retry_after}"),
    "500": (500, "Internal Server Error"),
    "502": (502, "Bad Gateway"),
}


@dataclass
class FakeFaults:
    seed: int = 0
    rate: float = 0.2  # share of send calls that fail
    slow_s: float = 2.0  # how late a slow answer comes (longer than the client's timeout)
    retry_after: int = 1
    drawn: Counter = field(default_factory=Counter)  # faults served, by kind
    _sent_before: Counter = field(default_factory=Counter)
    _last: dict = field(default_factory=dict)

    def draw(self, chat_id: Any, text: str | None) -> str | None:
        """The fault for this call of a send method, or None (answered normally)."""
        message = (str(chat_id), hashlib.sha256((text or "").encode()).hexdigest()[:16])
        nth = self._sent_before[message]
        self._sent_before[message] += 1
        rng = random.Random(f"{self.seed}:{message[0]}:{message[1]}:{nth}")
        kind = rng.choice(KINDS) if rng.random() < self.rate else None
        if kind == "slow" and self._last.get(message) == "slow":
            kind = rng.choice(KINDS[:-1])
        self._last[message] = kind
        if kind is not None:
            self.drawn[kind] += 1
        return kind

    def refusal(self, kind: str) -> tuple[int, str, int | None]:
        """(status, description, retry_after) of a fault that delivers nothing."""
        status, description = REFUSALS[kind]
        retry_after = self.retry_after if kind == "429" else None
        return status, description.format(retry_after=self.retry_after), retry_after
