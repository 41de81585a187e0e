"""Supervisors: /tim (their people today, and one person's tasks and evidence) and /tugaskan
(assigning a task — disposisi — to one or several people, down the whole subtree)."""

from __future__ import annotations

import datetime as dt

from bot.day_records import Actor
from bot.domain.html import clip, clip_utf16, esc, utf16_len
from bot.domain.pick_labels import pick_labels
from bot.domain.reports import ReportStatus
from bot.domain.schedule import in_working_hours, local_date, next_workday
from bot.domain.tasks import MAX_TITLE, TaskSource, clean_text
from bot.domain.workday import DEFAULT_MODE, Mode
from bot.messages import BUTTONS_MAX, Attachment, Button, Reply
from bot.services.briefing import task_line
from bot.services.day_schedule import day_schedule_of, modes_of_people
from bot.services.digest_presence import flag_line
from bot.services.digest_query import people_of_day
from bot.services.leave_days import next_workdays, workday_count
from bot.services.leave_decision import request_notice
from bot.services.leave_routing import deciders_for, why_key
from bot.services.plh import acts_for
from bot.services.refusal import refuse, refuse_button
from bot.services.review import above_on_day
from bot.services.turn import Turn, action, day_code, numbers_after, numeric, parse_day
from bot.texts import format_clock, format_date

PICKER_PAGE = 30  # people per page of the picker (Telegram carries at most 100 buttons in a message)
TEAM_PAGE = 90  # beyond it, people per page of /tim's buttons (with ◀ / ▶ still under 100)
THUMBNAILS_SHOWN = 5
CAPTION_MAX = 1024  # Telegram's (and WhatsApp's) limit for a photo's caption, after entity parsing


def report_state(report, work_day, t, mode_without_day: Mode = DEFAULT_MODE) -> str:
    mode = Mode(work_day.mode) if work_day else mode_without_day
    if mode.value in ("cuti", "sakit", "dl", "libur"):
        # The reason the leave was asked with ("Cuti tahunan") says more than the mode shown beside it.
        why = esc(clip(work_day.reason, 60)) if work_day and work_day.reason else t(f"mode.{mode.value}")
        return t("team.excused", mode=why)
    if report is None or report.status == ReportStatus.DRAFT:
        return t("team.missing")
    text = t(f"team.report_{report.status}")
    return text + (" " + t("team.late_mark") if report.late else "")


async def in_subtree(turn: Turn, person_id: int) -> bool:
    if turn.actor.is_admin:
        return True
    return (turn.actor.person_id in await turn.uow.people.chain(person_id)
            or await acts_for(turn.uow, turn.actor.person_id, person_id, turn.today))


async def show_team(turn: Turn) -> None:
    """/tim: the supervisor's direct reports today, their requests waiting; on a day they are an official's Plh,
    also that official's team, said so (someone with nobody under them gets that team alone)."""
    acting = await turn.uow.plh.officials_of(turn.actor.person_id, turn.today)
    if not turn.actor.is_supervisor and not acting:
        # An admin without a team (the HR desk) may still have requests to decide: those sent to the admins.
        if not turn.actor.is_admin:
            await refuse(turn, "tim", key="team.no_team")
        elif not await _admins_requests(turn, set()):
            turn.say(turn.t("team.admin_nothing"))
        return
    shown: set[int] = set()
    start = 1
    if turn.actor.is_supervisor:
        people = await turn.uow.people.direct_reports(turn.actor.person_id)
        shown |= await _team_list(turn, people, shown)
        shown |= await _passed_up_requests(turn, {p.person_id for p in people})
        start = numbers_after(turn, start, len(people))
    for official in sorted((await turn.uow.people.actors(sorted(acting))).values(), key=lambda a: a.name):
        people = await turn.uow.people.direct_reports(official.person_id)
        shown |= await _team_list(turn, people, shown, official=official, start=start)
        start = numbers_after(turn, start, len(people))
    if turn.actor.is_admin:
        await _admins_requests(turn, shown)


async def _team_list(turn: Turn, people: list[Actor], shown: set[int], official: Actor | None = None,
                     start: int = 1) -> set[int]:
    """The list of `people` today with a button each, then their requests waiting (not in `shown` already);
    `official`: the team of the official the actor stands in for as Plh today, headed so; `start`: the number
    of its first person (`numbers_after`). The requests shown."""
    ids = [p.person_id for p in people]
    days = await turn.uow.day.work_days_for(ids, turn.today)
    reports = await turn.uow.day.reports_for(ids, turn.today)
    # Without a work day (a weekend, a holiday): the unit's mode that date, not WFO and "not reported".
    unset = await modes_of_people(turn.uow, turn.today, {p.person_id: p.unit for p in people if p.person_id not in days})
    lines = [turn.t("plh.team", boss=esc(official.name))] if official else []
    lines.append(turn.t("team.title", date=format_date(turn.today, turn.lang)))
    for number, p in enumerate(people, start=start):
        unset_mode = unset.get(p.person_id, DEFAULT_MODE)
        mode = Mode(days[p.person_id].mode) if p.person_id in days else unset_mode
        state = report_state(reports.get(p.person_id), days.get(p.person_id), turn.t, unset_mode)
        lines.append(f"{number}. {esc(p.name)} — {turn.t(f'mode.{mode.value}')} · {state}")
    if len(people) > BUTTONS_MAX:
        lines.append(turn.t("team.paged", shown=TEAM_PAGE))
    turn.say("\n".join(lines), _member_rows(people, 0, turn.t, edit=False,
                                            official=official.person_id if official else None, start=start))
    # Requests still waiting for a decision, each again with its buttons: the first notice may be far up
    # the chat, held by WhatsApp's 24-hour window, or in a console session that has ended.
    by_id = {p.person_id: p for p in people}
    listed = set()
    for request in await turn.uow.leave.pending_of(ids):
        if request.id in shown or request.person_id == turn.actor.person_id:  # a Plh in the team: not their own
            continue
        member = by_id[request.person_id]
        workdays = await workday_count(turn.uow, member.unit, request)
        turn.replies.append(request_notice(member.name, request, member.timezone, workdays)(turn.t))
        listed.add(request.id)
    return listed


async def _admins_requests(turn: Turn, shown: set[int]) -> int:
    """Requests the admins were asked to decide (a head of office's; or nobody in the requester's chain
    could get it), not `shown` above already: the notice was sent once; here it can be found again."""
    found = [r for r in await turn.uow.leave.pending_asking(turn.actor.person_id) if r.id not in shown]
    requesters = await turn.uow.people.actors(sorted({r.person_id for r in found}))
    found = [r for r in found if r.person_id in requesters]  # deactivated since: decided outside Apel, if at all
    if not found:
        return 0
    turn.say(turn.t("team.admin_requests", count=len(found)))
    for request in found:
        member = requesters[request.person_id]
        workdays = await workday_count(turn.uow, member.unit, request)
        turn.replies.append(request_notice(member.name, request, member.timezone, workdays,
                                           top=member.supervisor_id is None)(turn.t))
    return len(found)


async def _passed_up_requests(turn: Turn, direct: set[int]) -> set[int]:
    """Requests of people further down that came to this supervisor (`asked_ids`), or that would come to them
    now: their own superior has no chat or is away (`leave_routing`). The notice was sent once; here it can be
    found again, also after the direct superior is back (who may decide it too, from their own /tim)."""
    below = {p.person_id: p for p in await turn.uow.people.subtree(turn.actor.person_id) if p.person_id not in direct}
    shown = set()
    for request in await turn.uow.leave.pending_of(list(below)):
        deciders = await deciders_for(turn.uow, request.person_id, turn.today)
        routed_now = turn.actor.person_id in deciders.to and deciders.passed_over is not None
        if not routed_now and turn.actor.person_id not in request.asked_ids:
            continue
        member = below[request.person_id]
        names = await turn.uow.people.actors([deciders.passed_over]) if routed_now else {}
        passed_over = (names[deciders.passed_over].name, why_key(deciders)) if deciders.passed_over in names else None
        workdays = await workday_count(turn.uow, member.unit, request)
        turn.replies.append(request_notice(member.name, request, member.timezone, workdays, passed_over)(turn.t))
        shown.add(request.id)
    return shown


def _member_rows(people: list[Actor], page: int, t, *, edit: bool,
                 official: int | None = None, start: int = 1) -> list[tuple[Button, ...]]:
    """A button a person (their number and name); a team over BUTTONS_MAX gets `page` of them and
    ◀ / ▶ (`edit`: from a page of buttons, which they replace, not from the list; `official`: the team of
    the official the Plh stands in for, whose pages those are)."""
    pages = 1 if len(people) <= BUTTONS_MAX else -(-len(people) // TEAM_PAGE)
    first = page * TEAM_PAGE if pages > 1 else 0
    shown = people[first:first + TEAM_PAGE] if pages > 1 else people
    labels = pick_labels([(p.name, p.nip) for p in shown], 30)
    rows = [(Button(f"{i}. {label}", action("tim", p.person_id)),)
            for i, (p, label) in enumerate(zip(shown, labels), first + start)]
    # A team listed after another (WhatsApp) carries where its numbers began, so its pages number as the list.
    tail = ([official] if official is not None else []) + ([start] if start != 1 and official is not None else [])
    nav = [Button(t(key, first=other * TEAM_PAGE + start, last=min((other + 1) * TEAM_PAGE, len(people)) + start - 1),
                  action("timpg", other, "e" if edit else "n", *tail))
           for other, key in ((page - 1, "team.page_prev"), (page + 1, "team.page_next")) if 0 <= other < pages]
    return rows + ([tuple(nav)] if nav else [])


async def team_page(turn: Turn, parts: list[str]) -> None:
    """`timpg:<page>:<n|e>[:<official>[:<start>]]`: a page of /tim's buttons for a team too large for one
    message; with `official`, of the team of the official the actor stands in for as Plh today; `start`: the
    number of that team's first person, listed after the Plh's own team (WhatsApp)."""
    if len(parts) not in (3, 4, 5) or not numeric(parts[1]) or parts[2] not in ("n", "e") or (
            len(parts) >= 4 and not numeric(parts[3])) or (
            len(parts) == 5 and not (numeric(parts[4]) and 0 < int(parts[4]) < 10_000)):
        turn.say(turn.t("common.not_available"))
        return
    official = int(parts[3]) if len(parts) >= 4 else None
    start = int(parts[4]) if len(parts) == 5 else 1
    if not (turn.actor.is_supervisor if official is None
            else official in await turn.uow.plh.officials_of(turn.actor.person_id, turn.today)):
        await refuse_button(turn, "timpg")
        return
    people = await turn.uow.people.direct_reports(official if official is not None else turn.actor.person_id)
    # A team that shrank since the button was sent has one page: everyone's buttons.
    pages = 1 if len(people) <= BUTTONS_MAX else -(-len(people) // TEAM_PAGE)
    page = int(parts[1])
    if page >= pages:
        turn.say(turn.t("common.not_available"))
        return
    first = page * TEAM_PAGE + 1 if pages > 1 else 1
    last = min((page + 1) * TEAM_PAGE, len(people)) if pages > 1 else len(people)
    shift = start - 1
    turn.say(turn.t("team.page_title", first=first + shift, last=last + shift, total=len(people) + shift),
             _member_rows(people, page, turn.t, edit=True, official=official, start=start), edit=parts[2] == "e")


async def show_member(turn: Turn, parts: list[str]) -> None:
    """`tim:<person>` (/tim's list): their day today, for their subtree's superiors, Plh or an admin.
    `tim:<person>:<day>` (a digest's 👁): their day then, for whoever may review that day's report."""
    day = turn.today if len(parts) == 2 else parse_day(parts[2]) if len(parts) == 3 else None
    if day is None or not numeric(parts[1]):
        turn.say(turn.t("common.not_available"))
        return
    # A past day's 👁 reads the person as that day had them: someone deactivated since is still in that
    # day's digest, and its ✅ ↩️ beside the 👁 still take their report.
    member = (await turn.uow.people.actor(int(parts[1])) if len(parts) == 2
              else (await people_of_day(turn.uow, [int(parts[1])], day)).get(int(parts[1])))
    if member is None:
        turn.say(turn.t("common.not_available"))
        return
    if not await (in_subtree(turn, member.person_id) if len(parts) == 2
                  else above_on_day(turn, member.person_id, day)):
        await refuse_button(turn, "tim", member.person_id)
        return
    tasks = await turn.uow.day.tasks_for_day(member.person_id, day)
    evidence = await turn.uow.day.evidence_for_day(member.person_id, day)
    report = await turn.uow.day.report(member.person_id, day)
    work_day = await turn.uow.day.work_day(member.person_id, day)
    unset = await modes_of_people(turn.uow, day, {member.person_id: member.unit} if work_day is None else {})
    lines = [
        turn.t("team.member_title", name=esc(member.name), unit=esc(member.unit)),
        *([turn.t("team.member_day", date=format_date(day, turn.lang))] if day != turn.today else []),
        turn.t("team.status_line", state=report_state(report, work_day, turn.t, unset.get(member.person_id, DEFAULT_MODE))),
        "",
        turn.t("brief.tasks_header") if tasks else turn.t("task.none"),
    ]
    lines += [task_line(i, t, day, turn.t) for i, t in enumerate(tasks, start=1)]
    if report and report.summary and report.status != ReportStatus.DRAFT:
        sent = format_clock(report.submitted_at, member.timezone) if report.submitted_at else ""
        lines += ["", turn.t("team.report_summary", time=sent), esc(report.summary)]
    lines += ["", turn.t("report.evidence_count", count=len(evidence))]
    turn.say("\n".join(lines))
    # Thumbnails only: an original (with its metadata) is never shown to anyone but its sender. A picture
    # the digest flags comes first, captioned with the flag, so the superior sees what the flag is about.
    noticed: dict[str, list] = {}
    for flag in (await turn.uow.flags.for_day([member.person_id], day)).get(member.person_id, []):
        noticed.setdefault(flag.ref, []).append(flag)
    pictures = sorted((e for e in evidence if e.thumb_path), key=lambda e: f"ev:{e.id}" not in noticed)
    for item in pictures[:THUMBNAILS_SHOWN]:
        caption = "\n".join(
            [turn.t("team.evidence_caption", time=format_clock(item.received_at, member.timezone))]
            + [flag_line(f, timezone=member.timezone, t=turn.t).strip() for f in noticed.get(f"ev:{item.id}", [])])
        if item.caption:  # what the person wrote under it, in the room a photo's caption leaves
            room = CAPTION_MAX - utf16_len(caption) - 1
            if room > 1:
                caption += "\n" + esc(clip_utf16(item.caption, room))
        turn.say(caption, attachment=Attachment(filename=f"bukti-{item.id}.jpg", path=item.thumb_path, is_photo=True))
    documents = [e for e in evidence if not e.thumb_path]
    if documents:
        turn.say(turn.t("team.documents", names=", ".join(esc(d.filename or d.kind) for d in documents)))


async def _candidates(turn: Turn, scope: str) -> list[Actor]:
    if scope == "all":
        return await turn.uow.people.subtree(turn.actor.person_id)
    return await turn.uow.people.direct_reports(turn.actor.person_id)


async def start_assign(turn: Turn) -> None:
    if not turn.actor.is_supervisor:
        await refuse(turn, "tugaskan", key="team.no_team")
        return
    await turn.set_state("assign", step="pick", scope="direct", picked=[])
    await show_picker(turn)


async def show_picker(turn: Turn, *, edit: bool = False) -> None:
    _, data = await turn.state()
    people = await _candidates(turn, data.get("scope", "direct"))
    picked = set(data.get("picked", []))
    pages = max(-(-len(people) // PICKER_PAGE), 1)
    page = min(data.get("page", 0), pages - 1)
    rows = []
    on_page = people[page * PICKER_PAGE:(page + 1) * PICKER_PAGE]
    for p, label in zip(on_page, pick_labels([(p.name, p.nip) for p in on_page], 30)):
        mark = "☑️" if p.person_id in picked else "⬜"
        rows.append((Button(f"{mark} {label}", action("asg", "p", p.person_id)),))
    nav = [Button(turn.t(key, page=other + 1), action("asg", "pg", other))
           for other, key in ((page - 1, "assign.page_prev"), (page + 1, "assign.page_next")) if 0 <= other < pages]
    if nav:
        rows.append(tuple(nav))
    if data.get("scope") != "all":
        rows.append((Button(turn.t("button.whole_subtree"), action("asg", "all")),))
    rows.append((Button(turn.t("button.next"), action("asg", "go")),))
    text = turn.t("assign.pick", count=len(picked))
    if pages > 1:
        text += "\n" + turn.t("assign.page", page=page + 1, pages=pages, total=len(people))
    turn.say(text, rows, edit=edit)


def _picking(data: dict, **changes) -> dict:
    """The picker's state with `changes`: who is chosen, from which list, on which page."""
    kept = {"scope": data.get("scope", "direct"), "picked": data.get("picked", []), "page": data.get("page", 0)}
    return {"step": "pick", **kept, **changes}


async def on_tap(turn: Turn, parts: list[str]) -> None:
    if not turn.actor.is_supervisor:
        await refuse_button(turn, "asg", parts[2] if len(parts) == 3 else None)
        return
    state, data = await turn.state()
    if state != "assign":
        turn.say(turn.t("common.not_available"))
        return
    op = parts[1] if len(parts) > 1 else ""
    if op == "p" and len(parts) >= 3 and all(numeric(part) for part in parts[2:]):
        # One person a tap; several when a numbered WhatsApp menu was answered "2 5 7" (TOGGLE_PREFIXES).
        allowed = {p.person_id for p in await _candidates(turn, data.get("scope", "direct"))}
        chosen = list(dict.fromkeys(int(part) for part in parts[2:]))
        for person_id in chosen:
            if person_id not in allowed:
                # Outside the list they were shown: audited when outside their subtree altogether.
                if not await in_subtree(turn, person_id):
                    await refuse_button(turn, "asg", person_id)
                else:
                    turn.say(turn.t("common.not_available"))
                return
        picked = set(data.get("picked", []))
        picked ^= set(chosen)
        await turn.set_state("assign", **_picking(data, picked=sorted(picked)))
        await show_picker(turn, edit=True)
    elif op == "pg" and len(parts) == 3 and numeric(parts[2]) and data.get("step") == "pick":
        await turn.set_state("assign", **_picking(data, page=int(parts[2])))
        await show_picker(turn, edit=True)
    elif op == "all":
        await turn.set_state("assign", **_picking(data, scope="all", page=0))
        await show_picker(turn, edit=True)
    elif op == "go":
        if not data.get("picked"):
            turn.say(turn.t("assign.pick_someone"))
            return
        await turn.set_state("assign", step="title", scope=data["scope"], picked=data["picked"])
        turn.say(turn.t("assign.ask_title", count=len(data["picked"])))
    elif op == "d" and len(parts) == 3 and data.get("step") == "due":
        due = parse_day(parts[2])
        if due is None or due < turn.today:
            turn.say(turn.t("common.not_available"))
            return
        await _create(turn, data, due)
    else:
        turn.say(turn.t("common.not_available"))


async def on_title_text(turn: Turn, data: dict, text: str) -> None:
    if not turn.actor.is_supervisor:  # everyone under them left since /tugaskan: refused now, not at the due date
        await turn.clear_state()
        await refuse(turn, "tugaskan", key="team.no_team")
        return
    if data.get("step") != "title":
        turn.say(turn.t("assign.use_buttons"))
        return
    title = clean_text(text, MAX_TITLE)
    if title is None:
        turn.say(turn.t("task.bad_title", limit=MAX_TITLE))
        return
    await turn.set_state("assign", step="due", scope=data["scope"], picked=data["picked"], title=title)
    # The assigner's unit's workdays (its weekdays, holidays and closures), as the briefing will see them.
    found = await next_workdays(turn.uow, turn.actor.unit, turn.today + dt.timedelta(days=1), 2)
    nxt = found[0] if found else next_workday(turn.today)
    after = found[1] if len(found) > 1 else next_workday(nxt)
    rows = (
        (Button(turn.t("assign.due_next", date=format_date(nxt, turn.lang)), action("asg", "d", day_code(nxt))),),
        (Button(turn.t("assign.due_today"), action("asg", "d", day_code(turn.today))),),
        (Button(format_date(after, turn.lang), action("asg", "d", day_code(after))),),
    )
    turn.say(turn.t("assign.ask_due", title=esc(title)), rows)


async def _create(turn: Turn, data: dict, due: dt.date) -> None:
    allowed = {p.person_id: p for p in await _candidates(turn, data.get("scope", "direct"))}
    people = [allowed[pid] for pid in data.get("picked", []) if pid in allowed]
    if not people:  # all picked have since moved away or been deactivated: nothing to assign
        await turn.clear_state()
        turn.say(turn.t("assign.nobody_left"), edit=True)
        return
    title = data["title"]
    told_now = 0
    hours: dict[int, object] = {}  # each unit's hours today, read once
    for person in people:
        if person.unit_id not in hours:
            hours[person.unit_id] = await day_schedule_of(turn.uow, person.unit_id,
                                                          local_date(turn.now, person.timezone))
        working = in_working_hours(turn.now, person.timezone, hours[person.unit_id])
        await turn.uow.day.add_task(
            person.person_id, title, due, TaskSource.ASSIGNED.value, turn.actor.person_id, turn.now, announced=working
        )
        if working:
            told_now += 1
            boss = esc(turn.actor.name)
            turn.tell(person.person_id, lambda t, b=boss: _new_task_notice(t, b, title, due))
    await turn.clear_state()
    turn.say(
        turn.t("assign.done", count=len(people), now=told_now, later=len(people) - told_now,
               date=format_date(due, turn.lang)),
        edit=True,
    )
    await turn.uow.audit.record(turn.now, f"person:{turn.actor.person_id}", "tasks_assign",
                                {"count": len(people), "due": due.isoformat()})


def _new_task_notice(t, boss: str, title: str, due: dt.date) -> Reply:
    return Reply(
        t("assign.notice", boss=boss, title=esc(title), date=format_date(due, t.lang)),
        ((Button(t("button.my_tasks"), action("tasks")),),),
    )
