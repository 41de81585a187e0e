"""The outbox: every outgoing message, written in the transaction of the change that causes it and
drained by sender workers under the platforms' rate limits (DESIGN.md "The outbox")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, Text, text
from sqlmodel import Field, SQLModel

from storage.types import time_field as _time


_WAITING = text("status = 'queued' AND not_before IS NOT NULL")


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        # The claim: due messages by priority, then by the time they are wanted, then in order; the
        # messages in flight (status 'sending') are read through it too.
        Index("ix_outbox_claim", "status", "priority", "target_at", "id"),
        # A chat's messages (fail_chat). The chat id leads so that this index never looks like a way to
        # find "all queued messages of a channel": PostgreSQL once took it for the claim and sorted every
        # queued row on each claim (DESIGN "The outbox sender's cost per message").
        Index("ix_outbox_chat", "external_id", "channel", "status"),
        # Messages waiting for a retry time: few, and the claim reads them all on every call.
        Index("ix_outbox_waiting", "channel", "external_id", "id", postgresql_where=_WAITING, sqlite_where=_WAITING),
    )

    id: int | None = Field(default=None, sa_type=BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key: str = Field(max_length=160, unique=True)  # idempotency: writing the same key twice is a no-op
    person_id: int | None = Field(default=None, index=True)
    channel: str = Field(max_length=10)
    external_id: str = Field(max_length=64)
    priority: int = 2  # 0 a reply to the person's own action, 1 reminders and approvals, 2 bulk
    kind: str = Field(default="message", max_length=20)  # briefing, reminder, digest, review, reply...
    payload: str = Field(sa_type=Text)  # JSON of the Reply (text, buttons, attachment, edit target)
    status: str = Field(default="queued", max_length=10)  # queued/sending/sent/failed/expired
    not_before: dt.datetime | None = _time(nullable=True)  # None: at once; else a retry's backoff or a 429's wait
    target_at: dt.datetime | None = _time(nullable=True)  # when it is wanted (apel for a briefing): orders bulk waves
    expires_at: dt.datetime | None = _time(nullable=True)  # a briefing not sent by the deadline expires
    attempts: int = 0
    parts_sent: int = 0  # a long reply is several API calls: a retry resumes after the last one sent
    uncertain: int = 0  # timeouts after the request was sent (Telegram has no idempotent sends)
    reason: str | None = Field(default=None, max_length=300)  # why it failed or expired
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_at: dt.datetime | None = _time(nullable=True)
    created_at: dt.datetime = _time()
    sent_at: dt.datetime | None = _time(nullable=True, index=True)


class OutboxFile(SQLModel, table=True):
    """Bytes made for a message (a digest card, an export): kept in the database so that any sender
    process, on any host, can send them; removed once nothing queued refers to them."""

    __tablename__ = "outbox_file"

    sha256: str = Field(max_length=64, primary_key=True)
    content: bytes = Field(sa_type=LargeBinary)
    created_at: dt.datetime = _time()
