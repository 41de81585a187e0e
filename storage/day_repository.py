"""The working day in SQL: seen updates, conversation state, work days, tasks, evidence, fixes, reports."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Sequence

from sqlalchemy import Integer, and_, any_, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from bot.day_records import EvidenceRecord, NewEvidence, ReportRecord, TaskRecord, WorkDayRecord
from bot.domain.org_terms import Channel
from storage.conflict_insert import built_per_dialect, dialect_insert
from storage.day_tables import ConversationState, Evidence, LocationFix, Report, SeenUpdate, Task, WorkDay
from storage.evidence_repository import band_values

PLANNED_SOURCES = ("roster", "directive", "default")  # a work day's modes the routine may plan again


PLAN_CHUNK = 1000  # work days per INSERT: 5 parameters each, below SQLite's 32,766
CHUNK = 5000  # ids per IN (...): far below SQLite's and asyncpg's parameter limits
UPCOMING_SHOWN = 10  # tasks due later that /tugas lists: an assignment for next week, not a backlog


def ids_in(session: AsyncSession, column, ids: list[int]):
    """`column IN ids` in one statement whatever the number of ids: a plain IN list for up to CHUNK of
    them, else one parameter holding them all (PostgreSQL: `= ANY(array)`, which it looks up in a hash
    table; SQLite: a JSON list read by json_each), so that a whole office costs as many statements as one
    team and never reaches a parameter limit."""
    if len(ids) <= CHUNK:
        return column.in_(ids)
    if session.bind.dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(select(func.json_each(json.dumps(ids)).table_valued("value").c.value).scalar_subquery())


def _task(t: Task) -> TaskRecord:
    return TaskRecord(t.id, t.person_id, t.title, t.due_date, t.status, t.blocked_reason, t.source,
                      t.assigned_by_id, t.announced_at)


def _work_day(w: WorkDay) -> WorkDayRecord:
    return WorkDayRecord(w.person_id, w.day, w.mode, w.source, w.briefed_at, w.acknowledged_at, w.reason)


def _task_lines(text: str | None) -> list:
    return [] if not text or text == "[]" else json.loads(text)


# The columns of a record, in the order of its fields (task_lines still JSON text).
_WORK_DAY_RECORD = (WorkDay.person_id, WorkDay.day, WorkDay.mode, WorkDay.source, WorkDay.briefed_at,
                    WorkDay.acknowledged_at, WorkDay.reason)
_REPORT_RECORD = (Report.id, Report.person_id, Report.day, Report.status, Report.summary, Report.task_lines,
                  Report.evidence_count, Report.late, Report.revision, Report.submitted_at, Report.reviewed_by_id,
                  Report.reviewed_at, Report.review_note)
_TASK_RECORD = (Task.id, Task.person_id, Task.title, Task.due_date, Task.status, Task.blocked_reason, Task.source,
                Task.assigned_by_id, Task.announced_at)
_EVIDENCE_RECORD = (Evidence.id, Evidence.person_id, Evidence.day, Evidence.task_id, Evidence.kind, Evidence.path,
                    Evidence.thumb_path, Evidence.filename, Evidence.received_at, Evidence.caption)


def _report_record(r) -> ReportRecord:
    """A report from a row of `_REPORT_RECORD`."""
    return ReportRecord(*r[:5], _task_lines(r[5]), *r[6:])


# What every turn reads, built once (building a statement and its cache key costs about as much as
# running it: BENCHMARKS.md, "Update ingest") and read as tuples in the records' order (loading ORM
# objects only to copy them into records costs more than the query). Parameters: person_id, day.
_PERSON, _DAY = bindparam("person_id"), bindparam("day")
_WORK_DAY_ROW = select(*_WORK_DAY_RECORD).where(WorkDay.person_id == _PERSON, WorkDay.day == _DAY)
_TASKS_FOR_DAY = (
    select(*_TASK_RECORD)
    .where(Task.person_id == _PERSON, or_(Task.due_date == _DAY, (Task.due_date < _DAY) & (Task.status != "done")))
    .order_by(Task.due_date, Task.id)
)
_UPCOMING_TASKS = (
    select(*_TASK_RECORD)
    .where(Task.person_id == _PERSON, Task.due_date > _DAY, Task.status != "done")
    .order_by(Task.due_date, Task.id)
    .limit(UPCOMING_SHOWN)
)
_EVIDENCE_FOR_DAY = (
    select(*_EVIDENCE_RECORD).where(Evidence.person_id == _PERSON, Evidence.day == _DAY).order_by(Evidence.id)
)
_FIX_COUNT = select(func.count()).select_from(LocationFix).where(LocationFix.person_id == _PERSON,
                                                                 LocationFix.day == _DAY)
_REPORT_ROW = select(*_REPORT_RECORD).where(Report.person_id == _PERSON, Report.day == _DAY)
# What /status shows of a day besides its tasks, in one statement: the evidence and location fixes
# counted, and the report's columns (NULL without one), from the one row of the counts joined to it.
_COUNTS = select(
    select(func.count()).select_from(Evidence).where(Evidence.person_id == _PERSON, Evidence.day == _DAY)
    .scalar_subquery().label("evidence"),
    _FIX_COUNT.scalar_subquery().label("fixes"),
).subquery()
_DAY_SUMMARY = select(_COUNTS.c.evidence, _COUNTS.c.fixes, *_REPORT_RECORD).select_from(
    _COUNTS.outerjoin(Report, and_(Report.person_id == _PERSON, Report.day == _DAY)))
# A person's day with a mode from the calendar ("default"), unless it exists; parameters person_id, day, mode.
_ADD_WORK_DAY = built_per_dialect(
    lambda insert: insert(WorkDay.__table__)
    .values(person_id=_PERSON, day=_DAY, mode=bindparam("mode"), source="default")
    .on_conflict_do_nothing()
    .returning(*(WorkDay.__table__.c[c.key] for c in _WORK_DAY_RECORD))
)
# A new piece of evidence, its values as parameters (built once: values written into the statement made
# SQLAlchemy build and key a new statement for every photo).
_ADD_EVIDENCE = insert(Evidence.__table__).returning(Evidence.__table__.c.id)
# An update key recorded unless it is there already; the key and time come as parameters.
# (On the table, not the ORM class: the ORM's bulk insert would not report the rows it wrote.)
_FIRST_TIME = built_per_dialect(lambda insert: insert(SeenUpdate.__table__).on_conflict_do_nothing())
# The same, on PostgreSQL after taking the chat's lock in that statement (see `first_time_in_chat`): the
# key is written from a row the lock function returns, so the lock is held before the key is looked at.
CHAT_LOCKS = 0x43484154  # "CHAT": the advisory-lock space of the chats (two int4 keys, apart from the outbox's)
_SEEN = SeenUpdate.__table__
_HELD = select(func.pg_advisory_xact_lock(bindparam("space"), bindparam("lock")).label("held")).subquery()
_FIRST_TIME_HELD = built_per_dialect(
    lambda insert: insert(_SEEN).from_select(
        ["key", "seen_at"],
        select(bindparam("key", type_=_SEEN.c.key.type), bindparam("seen_at", type_=_SEEN.c.seen_at.type))
        .select_from(_HELD),
    ).on_conflict_do_nothing()
)["postgresql"]


def _report(r: Report) -> ReportRecord:
    return ReportRecord(r.id, r.person_id, r.day, r.status, r.summary, _task_lines(r.task_lines),
                        r.evidence_count, r.late, r.revision, r.submitted_at, r.reviewed_by_id, r.reviewed_at,
                        r.review_note)


class SqlDayRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def _insert_ignoring_duplicates(self, table):
        return dialect_insert(self.session)(table)

    async def first_time(self, key: str, at: dt.datetime) -> bool:
        """Record an update key; False when it was recorded before (a redelivery)."""
        stmt = _FIRST_TIME[self.session.bind.dialect.name]
        return (await self.session.execute(stmt, {"key": key, "seen_at": at})).rowcount == 1

    async def first_time_in_chat(self, channel: Channel, external_id: str, key: str, at: dt.datetime) -> bool:
        """`first_time`, and until this transaction ends no other process handles a message of this chat
        (PostgreSQL, where several web workers take webhooks). One statement, the transaction's first, so the
        lock is taken before any row lock and cannot deadlock with one."""
        if self.session.bind.dialect.name != "postgresql":
            return await self.first_time(key, at)  # SQLite: one process, whose Conversation holds the chat's lock
        lock = zlib.crc32(f"{channel.value}:{external_id}".encode())
        params = {"space": CHAT_LOCKS, "lock": lock - 2**32 if lock >= 2**31 else lock, "key": key, "seen_at": at}
        return (await self.session.execute(_FIRST_TIME_HELD, params)).rowcount == 1

    async def state(self, person_id: int) -> tuple[str, dict] | None:
        row = await self.session.get(ConversationState, person_id)
        return (row.state, json.loads(row.data)) if row else None

    async def set_state(self, person_id: int, state: str, data: dict, at: dt.datetime) -> None:
        row = await self.session.get(ConversationState, person_id)
        if row is None:
            self.session.add(ConversationState(person_id=person_id, state=state, data=json.dumps(data), updated_at=at))
        else:
            row.state, row.data, row.updated_at = state, json.dumps(data), at
        await self.session.flush()

    async def clear_state(self, person_id: int) -> None:
        await self.session.execute(delete(ConversationState).where(ConversationState.person_id == person_id))
        self.session.expire_all()

    async def work_day(self, person_id: int, day: dt.date) -> WorkDayRecord | None:
        row = (await self.session.execute(_WORK_DAY_ROW, {"person_id": person_id, "day": day})).first()
        return WorkDayRecord(*row) if row else None

    async def ensure_work_day(self, person_id: int, day: dt.date, mode: str) -> WorkDayRecord:
        """The person's day, created with `mode` when it does not exist yet. Read first: once the
        briefing has gone out the day exists, and a read is one statement where insert-then-read is two."""
        record = await self.work_day(person_id, day)
        return record if record is not None else await self.add_work_day(person_id, day, mode)

    async def add_work_day(self, person_id: int, day: dt.date, mode: str) -> WorkDayRecord:
        """The person's day, created with `mode`, for a caller that has just read it missing (a second read
        first would be one more statement); the day another turn created meanwhile, if one did."""
        params = {"person_id": person_id, "day": day, "mode": mode}
        created = (await self.session.execute(_ADD_WORK_DAY[self.session.bind.dialect.name], params)).first()
        if created is not None:
            return WorkDayRecord(*created)
        return await self.work_day(person_id, day)

    async def set_mode(self, person_id: int, day: dt.date, mode: str, source: str, reason: str | None) -> None:
        await self.ensure_work_day(person_id, day, mode)
        await self.session.execute(
            update(WorkDay)
            .where(WorkDay.person_id == person_id, WorkDay.day == day)
            .values(mode=mode, source=source, reason=reason)
        )

    async def plan_modes(self, planned: Sequence[tuple[int, dt.date, str, str | None]], source: str) -> None:
        """Many people's days (person id, day, mode, reason) in a few statements: a province's roster is a
        million of them. A day that holds leave, an admin's override or a briefing already sent stays."""
        insert_ = self._insert_ignoring_duplicates(WorkDay)
        for start in range(0, len(planned), PLAN_CHUNK):
            stmt = insert_.values([
                {"person_id": person_id, "day": day, "mode": mode, "source": source, "reason": reason}
                for person_id, day, mode, reason in planned[start:start + PLAN_CHUNK]
            ])
            await self.session.execute(stmt.on_conflict_do_update(
                index_elements=[WorkDay.person_id, WorkDay.day],
                set_={"mode": stmt.excluded.mode, "source": stmt.excluded.source, "reason": stmt.excluded.reason},
                where=WorkDay.source.in_(PLANNED_SOURCES) & WorkDay.briefed_at.is_(None),
            ))

    async def forget_planned(self, person_ids: Sequence[int], day: dt.date, *, unbriefed_only: bool = False) -> int:
        """Drop the modes planned for `day` (the roster's, a directive's, the default a turn wrote), told or
        not: the day became a day off (whoever was briefed is told so). Leave and admins' overrides stay.
        `unbriefed_only`: keep the modes people were already told (a directive added that morning)."""
        if not person_ids:
            return 0
        told = (WorkDay.briefed_at.is_(None),) if unbriefed_only else ()
        result = await self.session.execute(
            delete(WorkDay).where(ids_in(self.session, WorkDay.person_id, list(person_ids)), WorkDay.day == day,
                                  WorkDay.source.in_(PLANNED_SOURCES), *told)
        )
        return result.rowcount or 0

    async def briefed_to_work(self, person_ids: Sequence[int], day: dt.date) -> list[int]:
        """Who was briefed on a planned working mode for `day` (their briefing went, or is going, out)."""
        if not person_ids:
            return []
        rows = await self.session.scalars(
            select(WorkDay.person_id).where(ids_in(self.session, WorkDay.person_id, list(person_ids)),
                                            WorkDay.day == day, WorkDay.source.in_(PLANNED_SOURCES),
                                            WorkDay.briefed_at.is_not(None)))
        return sorted(rows)

    async def forget_leave_days(self, person_id: int, days: Sequence[dt.date]) -> None:
        """Drop the leave mode of days nobody was briefed on yet (a cancelled cuti without an earlier plan):
        the routine plans them again like any day without a row."""
        if days:
            await self.session.execute(
                delete(WorkDay).where(WorkDay.person_id == person_id, WorkDay.day.in_(list(days)),
                                      WorkDay.source == "leave", WorkDay.briefed_at.is_(None))
            )

    async def mark_briefed(self, person_id: int, day: dt.date, at: dt.datetime) -> bool:
        """True for the one call that marks it; a second briefing of the same day finds it marked."""
        result = await self.session.execute(
            update(WorkDay)
            .where(WorkDay.person_id == person_id, WorkDay.day == day, WorkDay.briefed_at.is_(None))
            .values(briefed_at=at)
        )
        return result.rowcount == 1

    async def acknowledge(self, person_id: int, day: dt.date, at: dt.datetime) -> None:
        await self.session.execute(
            update(WorkDay)
            .where(WorkDay.person_id == person_id, WorkDay.day == day, WorkDay.acknowledged_at.is_(None))
            .values(acknowledged_at=at)
        )

    async def add_task(self, person_id, title, due, source, by, at, announced) -> int:
        result = await self.session.execute(
            insert(Task)
            .values(person_id=person_id, title=title, due_date=due, status="open", source=source,
                    assigned_by_id=by, announced_at=at if announced else None, created_at=at, updated_at=at)
            .returning(Task.id)
        )
        return result.scalar_one()

    async def task(self, task_id: int) -> TaskRecord | None:
        row = await self.session.get(Task, task_id)
        return _task(row) if row else None

    async def tasks_for_day(self, person_id: int, day: dt.date) -> list[TaskRecord]:
        """Tasks due that day, and earlier ones not done yet (carried over)."""
        rows = await self.session.execute(_TASKS_FOR_DAY, {"person_id": person_id, "day": day})
        return [TaskRecord(*r) for r in rows]

    async def upcoming_tasks(self, person_id: int, day: dt.date) -> list[TaskRecord]:
        """Open tasks due after that day, soonest first (at most UPCOMING_SHOWN)."""
        rows = await self.session.execute(_UPCOMING_TASKS, {"person_id": person_id, "day": day})
        return [TaskRecord(*r) for r in rows]

    async def set_task_status(self, task_id: int, status: str, reason: str | None, at: dt.datetime) -> None:
        await self.session.execute(
            update(Task)
            .where(Task.id == task_id)
            .values(status=status, blocked_reason=reason, updated_at=at, done_at=at if status == "done" else None)
        )
        self.session.expire_all()

    async def mark_announced(self, task_ids: Sequence[int], at: dt.datetime) -> None:
        if task_ids:
            await self.session.execute(
                update(Task).where(Task.id.in_(list(task_ids)), Task.announced_at.is_(None)).values(announced_at=at)
            )

    async def add_evidence(self, item: NewEvidence) -> int:
        values = {k: getattr(item, k) for k in item.__dataclass_fields__}
        values.update(band_values(item.phash))
        return (await self.session.execute(_ADD_EVIDENCE, values)).scalar_one()

    async def evidence_for_day(self, person_id: int, day: dt.date) -> list[EvidenceRecord]:
        rows = await self.session.execute(_EVIDENCE_FOR_DAY, {"person_id": person_id, "day": day})
        return [EvidenceRecord(*r) for r in rows]

    async def album_received_before(self, person_id: int, album: str, evidence_id: int) -> bool:
        """Whether an earlier item of this album (photos sent together) came from this person."""
        query = select(Evidence.id).where(Evidence.person_id == person_id, Evidence.album == album,
                                          Evidence.id < evidence_id).limit(1)
        return (await self.session.execute(query)).first() is not None

    async def burst_received_before(self, person_id: int, task_id: int | None, kind: str, since: dt.datetime,
                                    evidence_id: int) -> bool:
        """Whether this person sent evidence of this kind for the same task (or for the day) since then, before
        this item."""
        same_task = Evidence.task_id.is_(None) if task_id is None else Evidence.task_id == task_id
        query = select(Evidence.id).where(Evidence.person_id == person_id, same_task, Evidence.kind == kind,
                                          Evidence.received_at >= since, Evidence.id < evidence_id).limit(1)
        return (await self.session.execute(query)).first() is not None

    async def attach_evidence(self, evidence_ids: Sequence[int], person_id: int, task_id: int | None) -> None:
        await self.session.execute(
            update(Evidence)
            .where(Evidence.id.in_(list(evidence_ids)), Evidence.person_id == person_id)
            .values(task_id=task_id)
        )

    async def add_fix(self, person_id, day, lat, lon, accuracy, at, live_key, live_until) -> None:
        await self.session.execute(
            insert(LocationFix).values(person_id=person_id, day=day, lat=lat, lon=lon, accuracy_m=accuracy, at=at,
                                       live=live_key is not None, live_key=live_key, live_until=live_until)
        )

    async def fix_count(self, person_id: int, day: dt.date) -> int:
        return (await self.session.execute(_FIX_COUNT, {"person_id": person_id, "day": day})).scalar_one()

    async def day_summary(self, person_id: int, day: dt.date) -> tuple[int, int, ReportRecord | None]:
        """(evidence, location fixes, report or None) of the person's day, in one statement."""
        row = (await self.session.execute(_DAY_SUMMARY, {"person_id": person_id, "day": day})).one()
        return row[0], row[1], _report_record(row[2:]) if row[2] is not None else None

    async def report(self, person_id: int, day: dt.date) -> ReportRecord | None:
        row = (
            await self.session.execute(_REPORT_ROW, {"person_id": person_id, "day": day})
        ).first()
        return _report_record(row) if row else None

    async def save_report(self, person_id, day, *, status, summary, task_lines, evidence_count, late, submitted_at,
                          at) -> None:
        row = (
            await self.session.execute(select(Report).where(Report.person_id == person_id, Report.day == day))
        ).scalar_one_or_none()
        if row is None:
            row = Report(person_id=person_id, day=day, status=status, created_at=at, updated_at=at)
            self.session.add(row)
        row.status, row.summary, row.task_lines = status, summary, json.dumps(task_lines, ensure_ascii=False)
        row.evidence_count, row.late, row.updated_at = evidence_count, late, at
        if submitted_at is not None:
            row.submitted_at = submitted_at
            row.revision = (row.revision or 0) + 1
            # A new revision waits for a new review.
            row.reviewed_by_id, row.reviewed_at, row.review_note = None, None, None
        await self.session.flush()

    async def reports_for(self, person_ids: Sequence[int], day: dt.date) -> dict[int, ReportRecord]:
        """One query for any number of people, read as plain tuples in the record's order (no ORM objects:
        a whole office's day is a lot of rows)."""
        ids = list(person_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(*_REPORT_RECORD).where(ids_in(self.session, Report.person_id, ids), Report.day == day)
        )
        return {r[1]: _report_record(r) for r in rows}

    async def work_days_for(self, person_ids: Sequence[int], day: dt.date) -> dict[int, WorkDayRecord]:
        ids = list(person_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(*_WORK_DAY_RECORD).where(ids_in(self.session, WorkDay.person_id, ids), WorkDay.day == day)
        )
        return {r[0]: WorkDayRecord(*r) for r in rows}

    async def work_days_between(self, person_ids: Sequence[int], start: dt.date, end: dt.date) -> list[WorkDayRecord]:
        if not person_ids:
            return []
        rows = await self.session.execute(
            select(WorkDay)
            .where(WorkDay.person_id.in_(list(person_ids)), WorkDay.day >= start, WorkDay.day <= end)
            .order_by(WorkDay.day, WorkDay.person_id)
        )
        return [_work_day(w) for w in rows.scalars()]

    async def task_counts(self, person_ids: Sequence[int], day: dt.date) -> dict[int, tuple[int, int]]:
        """person -> (done, total) of the day's tasks (due that day or carried over), in one query."""
        ids = list(person_ids)
        if not ids:
            return {}
        done = func.sum(case((Task.status == "done", 1), else_=0))
        rows = await self.session.execute(
            select(Task.person_id, done, func.count())
            .where(
                ids_in(self.session, Task.person_id, ids),
                or_(Task.due_date == day, (Task.due_date < day) & (Task.status != "done")),
            )
            .group_by(Task.person_id)
        )
        return {pid: (int(d or 0), int(n)) for pid, d, n in rows}

    async def evidence_counts(self, person_ids: Sequence[int], day: dt.date) -> dict[int, int]:
        ids = list(person_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(Evidence.person_id, func.count())
            .where(ids_in(self.session, Evidence.person_id, ids), Evidence.day == day)
            .group_by(Evidence.person_id)
        )
        return {pid: int(n) for pid, n in rows}

    async def report_by_id(self, report_id: int) -> ReportRecord | None:
        row = await self.session.get(Report, report_id)
        return _report(row) if row else None

    async def review(self, report_id: int, *, status: str, by: int, note: str | None, at: dt.datetime,
                     revision: int) -> bool:
        """Approve or return a submitted report; False when it changed meanwhile (another review, or a
        resubmission: `revision` is the one the reviewer saw)."""
        result = await self.session.execute(
            update(Report)
            .where(Report.id == report_id, Report.status == "submitted", Report.revision == revision)
            .values(status=status, reviewed_by_id=by, reviewed_at=at, review_note=note, updated_at=at)
        )
        self.session.expire_all()
        return result.rowcount == 1

    async def reports_between(self, person_ids: Sequence[int], start: dt.date, end: dt.date) -> list[ReportRecord]:
        if not person_ids:
            return []
        rows = await self.session.execute(
            select(Report)
            .where(Report.person_id.in_(list(person_ids)), Report.day >= start, Report.day <= end)
            .order_by(Report.day, Report.person_id)
        )
        return [_report(r) for r in rows.scalars()]

    async def evidence_between(self, person_ids: Sequence[int], start: dt.date, end: dt.date) -> list[EvidenceRecord]:
        """Everyone's evidence of a period in one query (the month export), by day then id."""
        if not person_ids:
            return []
        rows = await self.session.execute(
            select(Evidence)
            .where(Evidence.person_id.in_(list(person_ids)), Evidence.day >= start, Evidence.day <= end)
            .order_by(Evidence.day, Evidence.id)
        )
        return [
            EvidenceRecord(e.id, e.person_id, e.day, e.task_id, e.kind, e.path, e.thumb_path, e.filename, e.received_at,
                           e.caption)
            for e in rows.scalars()
        ]

    async def evidence_thumbs(self, person_ids: Sequence[int], day: dt.date) -> dict[int, list[str]]:
        """person -> thumbnail paths of the day's images (for a digest's collage)."""
        found: dict[int, list[str]] = {}
        if not person_ids:
            return found
        rows = await self.session.execute(
            select(Evidence.person_id, Evidence.thumb_path)
            .where(ids_in(self.session, Evidence.person_id, list(person_ids)), Evidence.day == day,
                   Evidence.thumb_path.is_not(None))
            .order_by(Evidence.id)
        )
        for pid, path in rows:
            found.setdefault(pid, []).append(path)
        return found
