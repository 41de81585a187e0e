"""The outbox in SQL. A use case's messages are buffered (`add`) and written when its unit of work
commits, in the same transaction; the claim hands due messages to one sender at a time per chat."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import and_, func, literal, or_, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.org_terms import Channel
from bot.messages import Outgoing
from bot.outbox.codec import PRIORITY, decode, encode
from bot.outbox.records import OutboxItem, QueueCount, Status, WaveProgress
from storage.conflict_insert import built_per_dialect, dialect_insert
from storage.day_repository import ids_in
from storage.outbox_tables import OutboxFile, OutboxMessage
from storage.tables import Person

ID_CHUNK = 1000  # ids per IN list: far below the engines' bound-parameter limits
# Pages of queued rows one claim reads at most: more than one only when chats waiting for a message in
# flight fill the first page; what lies beyond waits for the next claim.
CLAIM_PAGES = 4
CLAIM_LOCK = 0x4150454C  # "APEL": claims are serialised on PostgreSQL so one chat is never in two senders
# The claim's transaction on PostgreSQL: serialised, and planned to walk the claim index in its order.
# Statistics lag a wave (100,000 rows written at once into a table of sent ones): with them, the planner
# expects a handful of queued rows and reads and sorts all of them for every page, instead of walking the
# claim index for the first 1,000.
# Sort and bitmap scans are off for this transaction only (set_config's is_local), in the same round trip.
CLAIM_START = text("SELECT pg_advisory_xact_lock(:k), set_config('enable_sort', 'off', true), "
                   "set_config('enable_bitmapscan', 'off', true)")
# A message without a wanted time is wanted at once: it sorts before every wave. Stored (not NULL) so that
# the claim's ORDER BY priority, target_at, id is the claim index's own order on both engines.
AT_ONCE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _utcnow() -> dt.datetime:
    # Wall-clock creation time, for the record only; sending decisions use the sender's injected clock.
    return dt.datetime.now(dt.UTC)


# Messages queued unless their key is there already (on the table: the ORM's bulk path costs more per row).
_QUEUE = built_per_dialect(lambda insert: insert(OutboxMessage.__table__).on_conflict_do_nothing())


class SqlOutboxRepository:
    def __init__(self, session: AsyncSession):
        self.session = session
        self.scope = uuid.uuid4().hex[:16]  # keys of messages without one: unique to this transaction
        self._buffer: list[Outgoing] = []

    def _insert(self, table):
        return dialect_insert(self.session)(table)

    def add(self, outgoings: Sequence[Outgoing]) -> None:
        """Queue messages; they are written when the unit of work commits (the console prints its own)."""
        self._buffer.extend(o for o in outgoings if o.channel is not Channel.CONSOLE)

    async def flush(self) -> int:
        """Write the buffered messages (keys already present are left as they are); the number offered."""
        buffered, self._buffer = self._buffer, []
        if not buffered:
            return 0
        now = _utcnow()
        rows, files = [], {}
        for i, o in enumerate(buffered):
            payload, blob = encode(o)
            if blob is not None:
                files[blob[0]] = blob[1]
            rows.append({
                "key": o.key or f"{self.scope}:{i}", "person_id": o.person_id, "channel": o.channel.value,
                "external_id": o.external_id, "priority": PRIORITY[o.urgency], "kind": o.kind,
                "payload": payload, "status": Status.QUEUED.value, "not_before": None, "target_at": o.target_at or AT_ONCE,
                "expires_at": o.expires_at, "created_at": now,
            })
        if files:
            await self.session.execute(self._insert(OutboxFile).values(
                [{"sha256": k, "content": v, "created_at": now} for k, v in files.items()]).on_conflict_do_nothing())
        # One executemany of one statement built once: a multi-row VALUES would be compiled anew for every
        # batch size, which at a province's digest wave cost more than writing the rows.
        await self.session.execute(_QUEUE[self.session.bind.dialect.name], rows)
        return len(rows)

    async def expire(self, now: dt.datetime) -> int:
        stmt = (update(OutboxMessage)
                .where(OutboxMessage.status == Status.QUEUED.value, OutboxMessage.expires_at <= now)
                .values(status=Status.EXPIRED.value, reason="not sent before it was due"))
        return (await self.session.execute(stmt)).rowcount

    async def withdraw_briefings(self, day: dt.date, person_ids: Sequence[int] | None, reason: str) -> list[int]:
        """Briefings for `day` still queued (a wave starts up to an hour before apel) that no longer hold: the
        day became a day off. Expired with `reason`; the people whose briefing was withdrawn. `None`: everyone."""
        m = OutboxMessage
        where = [m.status == Status.QUEUED.value, m.kind == "briefing", m.key.startswith(f"brief:{day.isoformat()}:")]
        if person_ids is not None:
            where.append(ids_in(self.session, m.person_id, list(person_ids)))
        rows = await self.session.execute(update(m).where(*where).values(status=Status.EXPIRED.value, reason=reason)
                                          .returning(m.person_id))
        return sorted({pid for (pid,) in rows if pid is not None})

    async def withdraw_for_people(self, person_ids: Sequence[int], reason: str) -> int:
        """Everything still queued for these people (an import deactivated them: a retired superior's digest
        in a slow wave would show them their former staff's day). Expired with `reason`; how many."""
        m = OutboxMessage
        done = await self.session.execute(
            update(m).where(m.status == Status.QUEUED.value, ids_in(self.session, m.person_id, list(person_ids)))
            .values(status=Status.EXPIRED.value, reason=reason))
        return done.rowcount

    async def recover(self, now: dt.datetime, stale_after: dt.timedelta) -> int:
        """Messages a dead sender left in flight go back to the queue, counted as uncertain (they may have
        arrived); a second uncertain one is given up rather than sent a third time."""
        stale = and_(OutboxMessage.status == Status.SENDING.value, OutboxMessage.claimed_at <= now - stale_after)
        failed = await self.session.execute(
            update(OutboxMessage).where(stale, OutboxMessage.uncertain >= 1)
            .values(status=Status.FAILED.value, reason="sender stopped twice while sending it"))
        requeued = await self.session.execute(
            update(OutboxMessage).where(stale)
            .values(status=Status.QUEUED.value, uncertain=OutboxMessage.uncertain + 1, claimed_by=None))
        return failed.rowcount + requeued.rowcount

    async def claim(self, worker: str, now: dt.datetime, limit: int, channels: Sequence[Channel],
                    max_priority: int = 2) -> list[OutboxItem]:
        """Due messages for this worker, most urgent first. A chat waits while one of its messages is in
        flight (claimed, or sent and not yet recorded) or an earlier one waits for its retry time, so each
        chat's messages leave in order.

        The queued rows are read a page at a time in the claim index's own order and the waiting chats are
        left out here, not by the database: as one statement with NOT EXISTS subqueries, PostgreSQL's
        planner, misled by statistics taken before a wave was written, anti-joined and sorted every queued
        row on every claim (0.2–0.7 s per claim of 1,000 with 100,000 queued). Waiting chats are few: the
        messages in flight and those waiting for a retry time, both read through small index ranges."""
        postgres = self.session.bind.dialect.name == "postgresql"
        if postgres:
            await self.session.execute(CLAIM_START, {"k": CLAIM_LOCK})
        m, queued = OutboxMessage, Status.QUEUED.value
        in_flight = set((await self.session.execute(
            select(m.channel, m.external_id).where(m.status == Status.SENDING.value).distinct())).all())
        # The status is written into the statement, not bound: a prepared statement's generic plan cannot
        # prove that `status = $1` matches the partial index's `status = 'queued'`.
        first_waiting = {(channel, external_id): first for channel, external_id, first in await self.session.execute(
            select(m.channel, m.external_id, func.min(m.id))
            .where(m.status == literal(queued, literal_execute=True), m.not_before.is_not(None), m.not_before > now)
            .group_by(m.channel, m.external_id))}
        picked: list[int] = []
        after = None
        for _ in range(CLAIM_PAGES):
            rows = (await self.session.execute(
                claim_page(limit, channels, max_priority, after, postgres=postgres))).all()
            for r in rows:
                chat = (r.channel, r.external_id)
                if (r.not_before is not None and r.not_before > now) or chat in in_flight:
                    continue
                if first_waiting.get(chat, r.id) < r.id:
                    continue
                picked.append(r.id)
                if len(picked) == limit:
                    break
            if len(picked) == limit or len(rows) < limit:
                break
            after = (rows[-1].priority, rows[-1].target_at, rows[-1].id)
        if not picked:
            return []
        # On SQLite only rows still queued are taken: a writer may have come between the page and this
        # update. On PostgreSQL the page's rows are locked (FOR UPDATE) and claims are serialised, so the
        # key alone selects them: a status condition there let a planner with stale statistics walk every
        # queued row instead of the 1,000 keys (0.3–0.6 s per claim).
        still_queued = [] if postgres else [m.status == queued]
        # Plain rows, not ORM objects: the sender only reads them, and a batch is up to a second's sends.
        rows = (await self.session.execute(
            update(m).where(m.id.in_(picked), *still_queued)
            .values(status=Status.SENDING.value, claimed_by=worker, claimed_at=now)
            .returning(m.id, m.payload, m.channel, m.external_id, m.priority, m.person_id, m.kind, m.key,
                       m.attempts, m.parts_sent, m.uncertain, m.expires_at),
            execution_options={"synchronize_session": False})).all()
        shas = {attachment_sha(r.payload) for r in rows} - {None}
        files = {}
        if shas:
            files = dict((await self.session.execute(
                select(OutboxFile.sha256, OutboxFile.content).where(OutboxFile.sha256.in_(shas)))).all())
        items = [
            OutboxItem(r.id, decode(r.payload, channel=r.channel, external_id=r.external_id, priority=r.priority,
                                    person_id=r.person_id, kind=r.kind, key=r.key, files=files),
                       r.priority, r.attempts, r.parts_sent, r.uncertain, r.expires_at)
            for r in rows
        ]
        order = {item_id: n for n, item_id in enumerate(picked)}
        return sorted(items, key=lambda i: order[i.id])

    async def sent(self, item_id: int, now: dt.datetime, parts_sent: int) -> None:
        await self.session.execute(update(OutboxMessage).where(OutboxMessage.id == item_id).values(
            status=Status.SENT.value, sent_at=now, parts_sent=parts_sent, claimed_by=None))

    async def sent_many(self, done: Sequence[tuple[int, int]], now: dt.datetime) -> None:
        """Several messages sent, as (id, parts_sent): one UPDATE per distinct parts count (nearly always one)."""
        by_parts: dict[int, list[int]] = {}
        for item_id, parts_sent in done:
            by_parts.setdefault(parts_sent, []).append(item_id)
        for parts_sent, ids in by_parts.items():
            for start in range(0, len(ids), ID_CHUNK):
                await self.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids[start:start + ID_CHUNK]))
                                           .values(status=Status.SENT.value, sent_at=now, parts_sent=parts_sent,
                                                   claimed_by=None))

    async def settle_claims(self, workers: Sequence[str], sent: dict[int, int], attempted: set[int],
                            now: dt.datetime) -> tuple[int, int, int]:
        """A restarted sender's claims, as its journal tells them: (marked sent, tried without an answer,
        never tried). Sent ones are recorded; tried ones go back counted as uncertain (failed when they
        already were once, as in `recover`); never tried ones go back as they were."""
        m, sending = OutboxMessage, OutboxMessage.status == Status.SENDING.value
        marked = 0
        by_parts: dict[int, list[int]] = {}
        for item_id, parts_sent in sent.items():
            by_parts.setdefault(parts_sent, []).append(item_id)
        for parts_sent, ids in by_parts.items():
            for start in range(0, len(ids), ID_CHUNK):
                marked += (await self.session.execute(
                    update(m).where(m.id.in_(ids[start:start + ID_CHUNK]), sending)
                    .values(status=Status.SENT.value, sent_at=now, parts_sent=parts_sent, claimed_by=None))).rowcount
        if not workers:
            return marked, 0, 0
        ours = and_(sending, m.claimed_by.in_(list(workers)))
        tried = sorted(attempted)
        uncertain = 0
        for start in range(0, len(tried), ID_CHUNK):
            chunk = m.id.in_(tried[start:start + ID_CHUNK])
            uncertain += (await self.session.execute(
                update(m).where(ours, chunk, m.uncertain >= 1)
                .values(status=Status.FAILED.value, reason="sender stopped twice while sending it"))).rowcount
            uncertain += (await self.session.execute(
                update(m).where(ours, chunk)
                .values(status=Status.QUEUED.value, uncertain=m.uncertain + 1, claimed_by=None))).rowcount
        untried = (await self.session.execute(
            update(m).where(ours).values(status=Status.QUEUED.value, claimed_by=None))).rowcount
        return marked, uncertain, untried

    async def retry(self, item_id: int, not_before: dt.datetime, *, parts_sent: int, attempts: int, uncertain: int,
                    reason: str | None) -> None:
        await self.session.execute(update(OutboxMessage).where(OutboxMessage.id == item_id).values(
            status=Status.QUEUED.value, not_before=not_before, parts_sent=parts_sent, attempts=attempts,
            uncertain=uncertain, reason=reason, claimed_by=None))

    async def give_up(self, item_id: int, status: Status, reason: str, *, parts_sent: int = 0,
                      uncertain: int | None = None) -> None:
        values = {"status": status.value, "reason": reason[:300], "parts_sent": parts_sent, "claimed_by": None}
        if uncertain is not None:
            values["uncertain"] = uncertain
        await self.session.execute(update(OutboxMessage).where(OutboxMessage.id == item_id).values(**values))

    async def fail_chat(self, channel: Channel, external_id: str, reason: str) -> int:
        """Everything still queued for a chat that cannot be reached fails with the reason."""
        stmt = (update(OutboxMessage)
                .where(OutboxMessage.channel == channel.value, OutboxMessage.external_id == external_id,
                       OutboxMessage.status == Status.QUEUED.value)
                .values(status=Status.FAILED.value, reason=reason))
        return (await self.session.execute(stmt)).rowcount

    async def counts(self) -> list[QueueCount]:
        rows = await self.session.execute(
            select(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.priority, OutboxMessage.kind,
                   func.count()).group_by(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.priority,
                                          OutboxMessage.kind)
            .order_by(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.priority, OutboxMessage.kind))
        return [QueueCount(*row) for row in rows]

    async def queued_before(self, channel: Channel, target: dt.datetime | None) -> int:
        """Messages that will be sent before one wanted at `target` (all queued, when None)."""
        stmt = select(func.count()).where(OutboxMessage.channel == channel.value,
                                          OutboxMessage.status.in_([Status.QUEUED.value, Status.SENDING.value]))
        if target is not None:
            stmt = stmt.where(OutboxMessage.target_at <= target)
        return await self.session.scalar(stmt) or 0

    async def briefings_by_unit(self, channel: Channel, key_prefix: str, sent_since: dt.datetime) -> dict[int, WaveProgress]:
        """One day's briefings (their keys begin with `key_prefix`) by the unit of their person: pending, sent, and
        when the last one was sent. By day, not by the apel time they were queued for, which may have moved since.
        Sent ones are read from `sent_since` on (the day's first midnight), through the sent_at index."""
        m = OutboxMessage
        pending = m.status.in_([Status.QUEUED.value, Status.SENDING.value])
        sent = m.status == Status.SENT.value
        rows = await self.session.execute(
            select(Person.unit_id, func.count().filter(pending), func.count().filter(sent),
                   func.max(m.sent_at).filter(sent))
            .join(Person, Person.id == m.person_id)
            .where(m.channel == channel.value, m.kind == "briefing", m.key.like(f"{key_prefix}%"),
                   or_(pending, and_(sent, m.sent_at >= sent_since)))
            .group_by(Person.unit_id))
        return {unit_id: WaveProgress(waiting, done, last) for unit_id, waiting, done, last in rows}

    async def statuses(self, keys: Sequence[str]) -> dict[str, str]:
        rows = await self.session.execute(select(OutboxMessage.key, OutboxMessage.status).where(OutboxMessage.key.in_(keys)))
        return dict(rows.all())


def claim_page(limit: int, channels: Sequence[Channel], max_priority: int, after: tuple | None, *,
               postgres: bool):
    """Queued messages in the claim index's order, from after `after` (priority, target_at, id)."""
    m = OutboxMessage
    page = (select(m.id, m.channel, m.external_id, m.not_before, m.priority, m.target_at)
            .where(m.status == Status.QUEUED.value, m.priority <= max_priority,
                   m.channel.in_([c.value for c in channels]))
            .order_by(m.priority, m.target_at, m.id).limit(limit))
    if after is not None:
        page = page.where(tuple_(m.priority, m.target_at, m.id) > after)
    return page.with_for_update(skip_locked=True) if postgres else page


def attachment_sha(payload: str) -> str | None:
    """The stored file a payload's attachment refers to (its sha256), without decoding the JSON."""
    marker = '"sha256":"'
    at = payload.find(marker)
    return payload[at + len(marker):at + len(marker) + 64] if at >= 0 else None
