"""What the outbox hands a sender, and what a send attempt came to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.messages import Outgoing


class Status(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True)
class OutboxItem:
    id: int
    outgoing: Outgoing
    priority: int
    attempts: int
    parts_sent: int
    uncertain: int
    expires_at: dt.datetime | None


class Outcome(StrEnum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"  # 429: the whole bot waits
    TRANSIENT = "transient"  # 5xx, connection refused: retry with backoff
    UNCERTAIN = "uncertain"  # timed out after the request left: it may have arrived
    UNREACHABLE = "unreachable"  # 403 blocked / never started; WhatsApp 131026
    REJECTED = "rejected"  # 400 and the like: retrying cannot help


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    parts_sent: int = 0  # API calls of this message that succeeded, counting earlier attempts
    wait_s: float = 0.0  # for RETRY_AFTER
    reason: str | None = None


@dataclass(frozen=True)
class QueueCount:
    channel: str
    status: str
    priority: int
    kind: str
    count: int


@dataclass(frozen=True)
class WaveProgress:
    """One briefing wave's messages in the outbox (those wanted at its apel): still to send, sent, and
    when the last one went."""

    pending: int
    sent: int
    last_sent_at: dt.datetime | None
