"""Admins run the routine's settings from chat: /jadwal, /libur, /roster, /jalankan."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.domain.html import esc
from bot.domain.leave_period import is_month_name, parse_date
from bot.messages import Attachment
from bot.services import calendar_admin, digest, digest_query, month_export, roster_admin, schedule_admin
from bot.services.admin_chat import actor_label, refuse
from bot.services.day_schedule import unit_dates
from bot.services.refusal import refuse as refuse_command
from bot.services.errors import ServiceError
from bot.services.turn import Turn, numbers_after
from bot.texts import format_date, format_month

CONFLICTS_SHOWN = 10


def _date(text: str, today: dt.date) -> dt.date:
    found = parse_date(text, today)
    if found is None:
        raise ServiceError("calendar.bad_date", value=text)
    return found


def _leading_date(words: list[str], today: dt.date, *, looking_back: bool = False) -> tuple[dt.date, list[str]]:
    """The date the words begin with and the words after it: a date written in words takes two or three
    ("25 Des", "25 Desember 2026"), the others one ("25-12-2026"); a ServiceError when they begin with none.
    `looking_back`: a date without a year is the latest such day not after today (`parse_date`)."""
    for count in (3, 2, 1):
        if len(words) >= count and (found := parse_date(" ".join(words[:count]), today,
                                                         looking_back=looking_back)) is not None:
            return found, words[count:]
    # Refused with the whole of what was meant as the date: "31 Feb", not "31".
    meant = 2 + (len(words) > 2 and words[2].isdigit()) if len(words) > 1 and is_month_name(words[1]) else 1
    raise ServiceError("calendar.bad_date", value=" ".join(words[:meant]))


async def command(turn: Turn, name: str, args: str, *, routine) -> None:
    if not turn.actor.is_admin:
        await refuse(turn, name)
        return
    words = args.split()
    if name == "jadwal":
        await _schedule(turn, words)
    elif name == "libur":
        await _calendar(turn, words)
    elif name == "roster":
        await _roster(turn, words)
    else:
        await _run(turn, words, routine)


async def _schedule(turn: Turn, words: list[str]) -> None:
    if len(words) >= 2:
        saved = await schedule_admin.set_field(turn.uow, unit=None, field=words[0], value=" ".join(words[1:]),
                                               valid_from=None, valid_to=None, actor=actor_label(turn), now=turn.now)
        value, _ = schedule_admin.worded(saved.value, saved.unit, None, None, turn.lang)
        turn.say(turn.t("schedule.saved", field=esc(words[0]), value=esc(value), unit=esc(saved.unit)))
        return
    unit, lines = await schedule_admin.show(turn.uow, None, turn.today)
    body = [turn.t("schedule.title", unit=esc(unit))]
    for x in lines:
        value, source = schedule_admin.worded(x.value, x.unit, x.valid_from, x.valid_to, turn.lang)
        body.append(turn.t("schedule.line", field=x.field, value=esc(value), source=esc(source)))
    turn.say("\n".join(body + ["", turn.t("schedule.hint")]))


async def _calendar(turn: Turn, words: list[str]) -> None:
    day, rest = _leading_date(words, turn.today) if len(words) >= 3 else (None, [])
    if len(rest) >= 2:
        added = await calendar_admin.add_entry(turn.uow, day=day, kind=rest[0], name=" ".join(rest[1:]), unit=None,
                                               actor=actor_label(turn), now=turn.now,
                                               default_language=turn.default_language)
        entry = added.entry
        said = turn.t(added.message, date=format_date(entry.day, turn.lang),
                      kind=calendar_admin.kind_label(entry.kind, turn.lang), name=esc(entry.name),
                      unit=esc(entry.scope) if entry.scope else turn.t("calendar.all_units"),
                      old=esc(added.old_name or ""))
        if added.withdrawn or added.told:
            said += "\n" + turn.t("calendar.day_off_done", withdrawn=added.withdrawn, told=added.told)
        turn.say(said)
        return
    if words:  # an entry begun but not finished ("/libur 15 Des libur"): the listing read as if it was added
        turn.say(turn.t("calendar.incomplete") + "\n" + turn.t("calendar.hint"))
        return
    end = turn.today + dt.timedelta(days=60)
    entries = await calendar_admin.entries_between(turn.uow, turn.today, end)
    body = [turn.t("calendar.title", start=format_date(turn.today, turn.lang), end=format_date(end, turn.lang))]
    body += [turn.t("calendar.line", date=format_date(e.day, turn.lang), name=esc(e.name),
                    kind=calendar_admin.kind_label(e.kind, turn.lang))
             + (f" ({esc(e.scope)})" if e.scope else "") for e in entries]
    if not entries:
        body.append(turn.t("calendar.none"))
    turn.say("\n".join(body + ["", turn.t("calendar.hint")]))


async def _roster(turn: Turn, words: list[str]) -> None:
    start, rest = _leading_date(words, turn.today) if words else (turn.today, [])
    end = _leading_date(rest, turn.today)[0] if rest else start + dt.timedelta(days=13)
    report = await roster_admin.generate_roster(turn.uow, start=start, end=end, unit=None, actor=actor_label(turn),
                                                now=turn.now)
    body = [turn.t("roster.generated", start=format_date(start, turn.lang), end=format_date(end, turn.lang),
                   written=report.written, kept=report.kept, conflicts=len(report.conflicts))]
    body += [turn.t("roster.conflict_line", date=format_date(c.day, turn.lang), unit=esc(c.unit),
                    detail=esc(roster_admin.conflict_text(c, turn.lang, report.names)))
             for c in report.conflicts[:CONFLICTS_SHOWN]]
    if len(report.conflicts) > CONFLICTS_SHOWN:
        body.append(turn.t("roster.conflicts_more", count=len(report.conflicts) - CONFLICTS_SHOWN))
    turn.say("\n".join(body))


async def _run(turn: Turn, words: list[str], routine) -> None:
    step = words[0].lower() if words else ""
    steps = {"briefing": routine.briefings, "pengingat": routine.reminders, "rekap": routine.digests}
    if step not in steps:
        turn.say(turn.t("routine.run_usage"))
        return
    now = turn.now

    async def later():
        return await steps[step](now, force=True)

    turn.after_commit.append(later)
    await turn.uow.audit.record(now, actor_label(turn), "routine_run", {"step": step})
    if not any(d.kind.workday for d in (await unit_dates(turn.uow, turn.today)).values()):
        # It runs all the same (harmless), but the admin should not wait for messages that will not come.
        turn.say(turn.t("routine.run_day_off", step=turn.t(f"routine.step_{step}"), date=format_date(turn.today, turn.lang)))
        return
    turn.say(turn.t("routine.run_started", step=turn.t(f"routine.step_{step}")))


async def digest_now(turn: Turn, args: str, *, routine) -> None:
    """/rekap [YYYY-MM-DD]: a supervisor's digest of a day on demand; admins may add a unit name to see
    that unit's supervisors' digests; a Plh also gets the team of the official they stand in for that day.
    Nobody sees people outside their subtree (admins see all)."""
    # A digest is of a day gone by: "/rekap 30 Des" typed on 4 January is the December just ended.
    day, rest = _leading_date(args.split(), turn.today, looking_back=True) if args.split() else (turn.today, [])
    if day > turn.today:  # "/rekap besok" listed everyone as not reported, for a day still to come
        turn.say(turn.t("digest.not_yet", date=format_date(day, turn.lang)))
        return
    unit = " ".join(rest) or None
    if unit and not turn.actor.is_admin:
        await refuse(turn, "rekap")
        return
    if unit:
        items = await digest_query.digests_for(turn.uow, day=day, unit=unit)
        start = 1
        for item in items:
            reply = digest.render(item.lines, day=day, timezone=item.timezone, t=turn.t,
                                  supervisor_id=item.supervisor.id, start=start)
            start = numbers_after(turn, start, len(item.lines))
            turn.say(f"<b>{esc(item.supervisor.name)}</b> — {esc(item.supervisor.unit)}\n" + reply.text, reply.buttons)
        if not items:  # nobody there has people under them (any more): not a refusal of the admin
            turn.say(turn.t("digest.unit_empty", unit=esc(unit), date=format_date(day, turn.lang)))
        return
    # The officials this person stands in for that day: their teams' digests came to them as Plh, so the
    # digest on demand shows those teams too, as the scheduled one does (someone without a team of their own
    # included).
    acting = await turn.uow.plh.officials_of(turn.actor.person_id, day)
    if not turn.actor.is_supervisor and not acting:
        await refuse_command(turn, "rekap", key="team.no_team")
        return
    start = 1
    if turn.actor.is_supervisor:
        ordered = await digest_query.supervisor_lines(turn.uow, turn.actor.person_id, day)
        turn.replies.append(digest.render(ordered, day=day, timezone=turn.actor.timezone, t=turn.t,
                                          supervisor_id=turn.actor.person_id))
        start = numbers_after(turn, start, len(ordered))
    # An official deactivated since that day still had their team that day, which came to the Plh.
    for official in sorted((await digest_query.people_of_day(turn.uow, acting, day)).values(), key=lambda a: a.name):
        ordered = await digest_query.supervisor_lines(turn.uow, official.person_id, day)
        shown = digest.render(ordered, day=day, timezone=official.timezone, t=turn.t,
                              supervisor_id=official.person_id, start=start)
        start = numbers_after(turn, start, len(ordered))
        turn.replies.append(replace(shown, text=turn.t("plh.digest", boss=esc(official.name)) + "\n" + shown.text))


LAST_MONTH_UNTIL_DAY = 5  # /ekspor without a month in a month's first days means the month just ended


def default_month(today: dt.date) -> str:
    """The month /ekspor exports when none is named: the current one, except in its first days, when HR
    wants the month that just ended (the recap for allowances), not one of three days."""
    if today.day <= LAST_MONTH_UNTIL_DAY:
        today = today.replace(day=1) - dt.timedelta(days=1)
    return today.strftime("%Y-%m")


async def export(turn: Turn, args: str, *, exporter) -> None:
    """/ekspor [YYYY-MM] [UNIT]: the month's export as an XLSX document. Supervisors get their own
    subtree only; admins any unit (or everyone)."""
    if exporter is None or not (turn.actor.is_admin or turn.actor.is_supervisor):
        await refuse_command(turn, "ekspor", key="team.no_team")
        return
    words = args.split()
    # "/ekspor Seksi Timur": a unit without a month is the default month's (a word is no mistyped month).
    named_month = bool(words) and any(c.isdigit() for c in words[0])
    month = words[0] if named_month else default_month(turn.today)
    unit = " ".join(words[1:] if named_month else words) or None
    below = team_of = None
    if not turn.actor.is_admin:
        if unit:
            await refuse(turn, "ekspor")
            return
        # Each day, the people below them that day (also people deactivated or moved away since, for those days)
        below, team_of = turn.actor.person_id, turn.actor.name
    filename, content = await exporter(turn.uow, month=month, unit=unit, fmt="xlsx", now=turn.now,
                                       lang=turn.lang, below=below, team_of=team_of)
    await turn.uow.audit.record(turn.now, actor_label(turn), "export_month",
                                {"month": month, "unit": unit, "below": below})
    shown = format_month(month_export.parse_month(month), turn.lang)  # "Desember 2026", not the 2026-1 typed
    turn.say(turn.t("export.sent", month=esc(shown)), attachment=Attachment(filename=filename, content=content))
