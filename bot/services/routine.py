"""The routine's steps, asked "what is due now?" by every tick (and by admins who run a step now).

The database decides: a briefing is due for a person in a unit whose apel time has passed today and
whose deadline has not, on a workday of that unit's calendar, unless they are excused or already
briefed; a reminder is due at the latest reminder offset that has passed (after downtime only that
one, never the backlog) to people expected today without a submitted report. Every message carries a
delivery key, so running any step twice sends nothing twice."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.domain.html import esc
from bot.domain.org_sync import StoredUnit
from bot.domain.reports import ReportStatus
from bot.domain.schedule import local_date, local_time
from bot.domain.unit_schedule import Schedule, chain_of, resolve
from bot.domain.work_calendar import CalendarEntry, DayKind, WorkCalendar
from bot.domain.workday import EXCUSED, Mode
from bot.domain.org_terms import Channel
from bot.messages import Button, Outgoing, Reply, ReplyKind, Urgency
from bot.outbox.plan import Wave, estimated_finish, plan
from bot.outbox.rate import whatsapp_bulk_rate
from bot.ports import Clock, Pictures, UnitOfWork, UnitOfWorkFactory
from bot.services import ladder, presence_checks, presence_day
from bot.services.briefing_wave import brief_people
from bot.services.org_directory import units_under
from bot.services.turn import action, deliver
from bot.texts import format_clock


Step = Callable[[dt.datetime], Awaitable[list[Outgoing]]]


@dataclass(frozen=True)
class UnitDay:
    unit: StoredUnit
    chain: list[str]
    day: dt.date
    schedule: Schedule
    kind: DayKind
    apel_at: dt.datetime
    deadline_at: dt.datetime
    # Yesterday's day, looked at for what fell due after midnight (a deadline of 23.30 and its escalation at
    # 00.00): only moments from this one (today's local midnight) on are due; None for today's day.
    due_from: dt.datetime | None = None

    def due(self, moment: dt.datetime, now: dt.datetime) -> bool:
        """Whether a step of this day planned for `moment` is due at `now`. Yesterday's moments before midnight
        were yesterday's to send: after downtime they are not sent the next day."""
        return moment <= now and (self.due_from is None or moment >= self.due_from)

    def digest_at(self, level: int) -> dt.datetime:
        """The digest moment of a supervision level: its digest time, unless the first level's comes before the
        day's deadline (a Friday deadline of 17.00, a deadline of 23.30): then every level's moves later by that
        gap, keeping their spacing. A digest before the deadline listed everyone as missing."""
        zone = self.unit.timezone
        first = local_time(self.day, self.schedule.digest_time(1), zone)
        at = local_time(self.day, self.schedule.digest_time(level), zone)
        return at + max(dt.timedelta(0), self.deadline_at - first)

    @property
    def runs_past_midnight(self) -> bool:
        """Yesterday's day with an evening step still to come today: the escalation, the last level's digest or
        its review window (levels above the digest times' count share the last one)."""
        if self.due_from is None or not self.kind.workday:
            return False
        last = max(self.deadline_at + dt.timedelta(minutes=self.schedule.escalation_delay_min),
                   self.digest_at(len(self.schedule.digest_times))
                   + dt.timedelta(minutes=self.schedule.review_window_min))
        return last >= self.due_from


async def unit_days(uow: UnitOfWork, now: dt.datetime, only: set[str] | None = None, *,
                    yesterday: bool = False) -> list[UnitDay]:
    """Each unit's day at `now` in its own zone; `yesterday`: the day before it, whose steps may still be due
    after midnight (`UnitDay.due_from`)."""
    return (await _day_builder(uow, now))(only, yesterday)


async def both_unit_days(uow: UnitOfWork, now: dt.datetime) -> tuple[list[UnitDay], list[UnitDay]]:
    """Yesterday's and today's unit days, from one read of the units, schedules and calendar."""
    build = await _day_builder(uow, now)
    return build(None, True), build(None, False)


async def _day_builder(uow: UnitOfWork, now: dt.datetime) -> Callable[[set[str] | None, bool], list[UnitDay]]:
    units = await uow.org.stored_units()
    layers = await uow.routine.schedule_layers()
    today = now.date()
    rows = await uow.routine.calendar_entries(today - dt.timedelta(days=2), today + dt.timedelta(days=2))
    entries = [CalendarEntry(day, kind, name, scope) for day, kind, name, scope in rows]

    def build(only: set[str] | None, yesterday: bool) -> list[UnitDay]:
        out = []
        for unit in units.values():
            if only is not None and unit.name not in only:
                continue
            chain = chain_of(unit.name, units)
            day = local_date(now, unit.timezone)
            due_from = None
            if yesterday:
                due_from = local_time(day, dt.time(0, 0), unit.timezone)
                day -= dt.timedelta(days=1)
            schedule = resolve(chain, layers, day)
            kind = WorkCalendar(entries, workdays=schedule.workdays).day_kind(day, chain)
            day_schedule = schedule.day(day)
            out.append(
                UnitDay(unit, chain, day, schedule, kind,
                        local_time(day, day_schedule.apel, unit.timezone),
                        local_time(day, day_schedule.deadline, unit.timezone), due_from)
            )
        return out

    return build


BRIEFING_CHUNK = 1000  # people per transaction of a briefing wave
LATE_TOLERANCE = dt.timedelta(minutes=1)


class Routine:
    def __init__(self, uow_factory: UnitOfWorkFactory, *, clock: Clock, default_language: str,
                 pictures: Pictures | None = None, send_rate: float = 25.0, whatsapp_rate: float = 80.0,
                 home_radius_m: int = presence_day.DEFAULT_HOME_RADIUS_M, housekeeping: Sequence[Step] = (),
                 check_secret: str = ""):
        self.uow_factory = uow_factory
        self.send_rate = send_rate  # messages per second the senders may send in bulk (waves are planned on it)
        self.whatsapp_rate = whatsapp_rate  # WHATSAPP_RATE: the number's sends a second (bulk takes nine tenths)
        self.home_radius_m = home_radius_m  # HOME_RADIUS_M: a home geofence without its own radius
        self.check_secret = check_secret  # seeds the presence checks' moments (PRESENCE_CHECK_SECRET)
        self.clock = clock
        self.default_language = default_language
        self.pictures = pictures  # None: digests go as text only
        # Steps the runtime adds (expiring undecided leave, the retention purge): each is idempotent.
        self.housekeeping = tuple(housekeeping)

    async def tick(self) -> list[Outgoing]:
        now = self.clock.now()
        return (
            await self.briefings(now)
            + await self.reminders(now)
            + await self.escalations(now)
            + await self.presence(now)
            + await self.digests(now)
            + await self._after_deadline(ladder.unreviewed, now, None, False)
            + [o for step in self.housekeeping for o in await step(now)]
            + await presence_checks.run_step(self, now)
        )

    async def escalations(self, now: dt.datetime, *, unit: str | None = None, force: bool = False) -> list[Outgoing]:
        return await self._after_deadline(ladder.escalations, now, unit, force)

    async def presence(self, now: dt.datetime, *, unit: str | None = None, force: bool = False) -> list[Outgoing]:
        """The day's presence summaries and flags, after each unit's deadline (before its digests)."""
        step = functools.partial(presence_day.compute, home_radius_m=self.home_radius_m)
        return await self._after_deadline(step, now, unit, force)

    async def digests(self, now: dt.datetime, *, unit: str | None = None, force: bool = False) -> list[Outgoing]:
        """`force`: an admin asks for today's digests now (`rekap`), before their time."""
        step = functools.partial(ladder.digests, pictures=self.pictures, default_language=self.default_language)
        return await self._after_deadline(step, now, unit, force)

    async def _after_deadline(self, step, now, unit, force) -> list[Outgoing]:
        """Today's step, and yesterday's where it fell due after midnight (not when an admin forces today's)."""
        async with self.uow_factory() as uow:
            scope = await self._scope(uow, unit)
            notices = []
            if force:
                passes = [(False, await unit_days(uow, now))]
            else:
                before, today = await both_unit_days(uow, now)
                passes = [(True, before), (False, today)]
            for yesterday, found in passes:
                days = {u.unit.name: u for u in found}
                if yesterday and not any(u.runs_past_midnight for u in days.values()):
                    continue  # the usual case: yesterday's evening ended before midnight
                notices += await step(uow, days, now, scope, force)
            out = await deliver(uow, notices, self.default_language)
            await uow.commit()
        return out

    async def _scope(self, uow: UnitOfWork, unit: str | None) -> set[str] | None:
        return await units_under(uow, unit) if unit else None

    async def briefings(self, now: dt.datetime, *, unit: str | None = None, force: bool = False) -> list[Outgoing]:
        """Due from each wave's planned start (early enough to reach everyone by apel at the send rate);
        `force`: an admin runs the step now, before that (never after the deadline)."""
        async with self.uow_factory() as uow:
            days = await unit_days(uow, now, await self._scope(uow, unit))
            groups = await _people_of(uow, [u for u in days if u.kind.workday and now < u.deadline_at])
            starts = {p.target: p.start for p in plan([Wave(u.apel_at, len(ids)) for u, ids in groups], self.send_rate)}
            due = [(u, ids) for u, ids in groups if force or min(starts[u.apel_at], u.apel_at) <= now]
            for unit_day, people in due:
                if unit_day.kind.mode:
                    await self._apply_directive(uow, unit_day, people)
            due = await _not_briefed(uow, due)
            await uow.commit()
        out: list[Outgoing] = []
        for unit_day, people in due:
            for start in range(0, len(people), BRIEFING_CHUNK):
                async with self.uow_factory() as uow:
                    out += await brief_people(uow, person_ids=people[start:start + BRIEFING_CHUNK], day=unit_day.day,
                                              apel_at=unit_day.apel_at, deadline_at=unit_day.deadline_at, now=now,
                                              default_language=self.default_language)
                    await uow.commit()
        if out:
            out += await self._warn_if_late({u.apel_at for u, _ in due}, now)
        return out

    async def _apply_directive(self, uow: UnitOfWork, unit_day: UnitDay, people: list[int]) -> None:
        """An all-WFH / all-WFO directive sets the day's mode, except over approved leave or an override."""
        work_days = await uow.day.work_days_for(people, unit_day.day)
        for person_id in people:
            record = work_days.get(person_id)
            if record and (record.briefed_at or Mode(record.mode) in EXCUSED):
                continue
            if record is None or record.source not in ("leave", "override"):
                await uow.day.set_mode(person_id, unit_day.day, unit_day.kind.mode.value, "directive",
                                       unit_day.kind.reason)

    async def _warn_if_late(self, targets: set[dt.datetime], now: dt.datetime) -> list[Outgoing]:
        """Admins hear once per wave and channel when its queue cannot be sent by apel at that channel's rate.
        Waves are planned at Telegram's rate (the slower); a WhatsApp queue is checked at its own."""
        channels = ((Channel.TELEGRAM, self.send_rate, "TELEGRAM_BULK_RATE", "wave-late"),
                    (Channel.WHATSAPP, whatsapp_bulk_rate(self.whatsapp_rate), "WHATSAPP_RATE", "wave-late-whatsapp"))
        async with self.uow_factory() as uow:
            notices = []
            admins = None  # read once, and only when a wave is late
            for target in sorted(targets):
                for channel, rate, setting, prefix in channels:
                    queued = await uow.outbox.queued_before(channel, target)
                    finish = estimated_finish(now, queued, 0, rate)
                    # Late because of the queue, not because this step first ran after apel (a restart).
                    if not queued or finish <= max(target, now) + LATE_TOLERANCE:
                        continue
                    if admins is None:
                        admins = (await uow.people.actors(await uow.presence.admins())).values()
                    for actor in admins:
                        key = f"{prefix}:{target.isoformat()}:{actor.person_id}"
                        if await uow.routine.claim(key, actor.person_id, "wave_late", target.date(), now):
                            notices.append((actor.person_id,
                                            _late_wave(queued, target, finish, actor.timezone, setting),
                                            Urgency.NOTICE))
            out = await deliver(uow, notices, self.default_language)
            await uow.commit()
        return out

    async def reminders(self, now: dt.datetime, *, unit: str | None = None, force: bool = False) -> list[Outgoing]:
        async with self.uow_factory() as uow:
            days = await unit_days(uow, now, await self._scope(uow, unit))
            candidates: list[tuple[str, int, str, dt.date]] = []
            deadline_of: dict[str, str] = {}
            for unit_day, people in await _people_of(uow, [u for u in days if u.kind.workday and now < u.deadline_at]):
                step = _reminder_step(unit_day, now, force)
                if step is None:
                    continue
                work_days = await uow.day.work_days_for(people, unit_day.day)
                reports = await uow.day.reports_for(people, unit_day.day)
                deadline = format_clock(unit_day.deadline_at, unit_day.unit.timezone)
                for person_id in people:
                    record = work_days.get(person_id)
                    if record and Mode(record.mode) in EXCUSED:
                        continue
                    report = reports.get(person_id)
                    if report and report.status != ReportStatus.DRAFT:
                        continue
                    key = f"remind:{unit_day.day.isoformat()}:{step}:{person_id}"
                    candidates.append((key, person_id, "reminder", unit_day.day))
                    deadline_of[key] = deadline
            won = await uow.routine.claim_many(candidates, now)
            notices = [(pid, _reminder(deadline_of[key]), Urgency.NOTICE) for key, pid, _, _ in candidates if key in won]
            out = await deliver(uow, notices, self.default_language)
            await uow.commit()
        return out


async def _not_briefed(uow: UnitOfWork, due: list[tuple[UnitDay, list[int]]]) -> list[tuple[UnitDay, list[int]]]:
    """Drop those already briefed or excused: every tick asks again, and a province's tick must not redo
    the whole wave. One query per date (the zones share one or two)."""
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for unit_day, people in due:
        by_day[unit_day.day] += people
    done: set[tuple[dt.date, int]] = set()
    for day, people in by_day.items():
        for pid, record in (await uow.day.work_days_for(people, day)).items():
            if record.briefed_at or Mode(record.mode) in EXCUSED:
                done.add((day, pid))
    kept = [(u, [p for p in people if (u.day, p) not in done]) for u, people in due]
    return [(u, people) for u, people in kept if people]


def _late_wave(queued: int, target: dt.datetime, finish: dt.datetime, timezone: str, setting: str):
    apel, done = format_clock(target, timezone), format_clock(finish, timezone)
    return lambda t: Reply(t("routine.wave_late", count=queued, apel=apel, finish=done, setting=setting))


def _reminder_step(unit_day: UnitDay, now: dt.datetime, force: bool) -> int | None:
    """The smallest offset whose time has come: the latest reminder due (the backlog is skipped)."""
    passed = [m for m in unit_day.schedule.reminder_offsets_min if unit_day.deadline_at - dt.timedelta(minutes=m) <= now]
    if passed:
        return min(passed)
    return max(unit_day.schedule.reminder_offsets_min) if force else None


def _reminder(deadline: str):
    return lambda t: Reply(
        t("routine.reminder", time=esc(deadline)), ((Button(t("button.report_now"), action("lapor")),),),
        kind=ReplyKind.REMINDER,
    )


async def _people_of(uow: UnitOfWork, unit_days_: list[UnitDay]) -> list[tuple[UnitDay, list[int]]]:
    """Active people per due unit, in one query."""
    if not unit_days_:
        return []
    by_name = {u.unit.name: u for u in unit_days_}
    rows = await uow.org.list_people(set(by_name), include_inactive=False)
    grouped: dict[str, list[int]] = defaultdict(list)
    for person in rows:
        grouped[person.unit].append(person.id)
    return [(by_name[name], ids) for name, ids in grouped.items()]
