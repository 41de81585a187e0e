"""Superiors review reports from the digest: approve, return with a note (the person is told and can
send it again; the superior then sees the resubmission), or approve every on-time report at once.
Only someone above the person in the supervision chain (or an admin) may review; a button of a
report that changed since (resubmitted, already reviewed) does nothing."""

from __future__ import annotations

import datetime as dt

from bot.domain.html import esc, sentence
from bot.domain.reports import MAX_SUMMARY
from bot.domain.tasks import clean_text
from bot.messages import Button, Reply, ReplyKind
from bot.services import digest, digest_query
from bot.services.plh import acts_for
from bot.services.refusal import refuse_button
from bot.services.turn import Turn, action, numeric, parse_day
from bot.texts import format_date

MAX_NOTE = 500


async def _reviewable(turn: Turn, parts: list[str]):
    """The report the button names, if it is still as the button saw it and this person may review it.
    None after the answer was given (refused and audited when it is someone else's report)."""
    if len(parts) != 3 or not numeric(parts[1]) or not numeric(parts[2]):
        turn.say(turn.t("common.not_available"))
        return None
    report = await turn.uow.day.report_by_id(int(parts[1]))
    if report is not None and not await _may_review(turn, report.person_id, report.day):
        await refuse_button(turn, parts[0], report.id)
        return None
    if report is None or report.revision != int(parts[2]) or report.status != "submitted":
        turn.say(turn.t("common.not_available"))
        return None
    return report


async def _name_of(turn: Turn, person_id: int) -> str:
    """The report's author, also one deactivated since (a last report is still reviewed after a transfer)."""
    person = await turn.uow.org.person_by_id(person_id)
    return person.name if person else ""


async def approve(turn: Turn, parts: list[str]) -> None:
    report = await _reviewable(turn, parts)
    if report is None:
        return
    if not await _mark(turn, report, "approved", None):
        turn.say(turn.t("common.not_available"))
        return
    turn.say(turn.t("review.approved", name=esc(await _name_of(turn, report.person_id))))


async def start_return(turn: Turn, parts: list[str]) -> None:
    report = await _reviewable(turn, parts)
    if report is None:
        return
    name = await _name_of(turn, report.person_id)
    await turn.set_state("return_note", report_id=report.id, revision=report.revision)
    turn.say(turn.t("review.ask_note", name=esc(name)))


async def on_note(turn: Turn, data: dict, text: str) -> None:
    note = clean_text(text, MAX_NOTE)
    if note is None:
        turn.say(turn.t("review.bad_note", limit=MAX_NOTE))
        return
    await turn.clear_state()
    report = await _reviewable(turn, ["rt", str(data.get("report_id", "")), str(data.get("revision", ""))])
    if report is None:
        return
    if not await _mark(turn, report, "returned", note):
        turn.say(turn.t("common.not_available"))
        return
    turn.say(turn.t("review.returned", name=esc(await _name_of(turn, report.person_id))))


async def approve_all(turn: Turn, parts: list[str]) -> None:
    """`apall:<day>:<supervisor>`: every on-time report of that supervisor's digest of the day, for them,
    anyone above them or an admin (an admin's `/rekap DATE UNIT` shows other people's teams). The older
    `apall:<day>` of digests already in chats means the tapping supervisor's own team."""
    day = parse_day(parts[1]) if len(parts) in (2, 3) else None
    if day is None or (len(parts) == 3 and not numeric(parts[2])):
        turn.say(turn.t("common.not_available"))
        return
    if len(parts) == 2 and not turn.actor.is_supervisor:
        await refuse_button(turn, "apall")
        return
    supervisor_id = int(parts[2]) if len(parts) == 3 else turn.actor.person_id
    if not await _may_review_team(turn, supervisor_id, day):
        await refuse_button(turn, "apall", supervisor_id)
        return
    approved = 0
    for line in await digest_query.supervisor_lines(turn.uow, supervisor_id, day):
        # The team of that day is theirs to review (`_may_review_team` above): no check per person, only not
        # their own report.
        if line.status == "on_time" and digest.waiting_review(line) and line.person_id != turn.actor.person_id:
            report = await turn.uow.day.report_by_id(line.report_id)
            approved += await _mark(turn, report, "approved", None)
    turn.say(turn.t("review.approved_all", count=approved, date=format_date(day, turn.lang)))


async def _may_review(turn: Turn, person_id: int, day: dt.date) -> bool:
    """Whoever is above the person on the report's day (`above_on_day`); nobody their own report, an admin
    included (as nobody decides their own leave)."""
    return person_id != turn.actor.person_id and await above_on_day(turn, person_id, day)


async def above_on_day(turn: Turn, person_id: int, day: dt.date) -> bool:
    """Anyone above the person in the chain of today or of `day` (a past day's digest lists people under that
    day's supervisor: someone moved since is reviewed, and their day seen with 👁, by either), the Plh that day
    of someone above them (`plh.acts_for`), or an admin: who may use a digest's buttons on that person."""
    if turn.actor.is_admin or turn.actor.person_id in await turn.uow.people.chain(person_id):
        return True
    if await acts_for(turn.uow, turn.actor.person_id, person_id, day):  # their Plh that day
        return True
    return turn.actor.person_id in await digest_query.chain_of_day(turn.uow, person_id, day)


async def _may_review_team(turn: Turn, supervisor_id: int, day: dt.date) -> bool:
    """The supervisor themselves, anyone above them in the chain, their Plh or one above's that day, or an
    admin."""
    return supervisor_id == turn.actor.person_id or turn.actor.is_admin or (
        turn.actor.person_id in await turn.uow.people.chain(supervisor_id)) or (
        await acts_for(turn.uow, turn.actor.person_id, supervisor_id, day, team=True))


async def digest_page(turn: Turn, parts: list[str]) -> None:
    """`dg:<day>:<supervisor>:<page>:<n|e>[:<start>]`: the buttons of a large team's digest, a page of people
    at a time (Telegram carries at most 100 in one message). For that supervisor, anyone above them, or an
    admin; `e`: from a page of buttons, which it replaces; `n`: from the digest itself, which stays as it is;
    `start`: the number of the team's first person, where the digest came after another list (WhatsApp)."""
    day = parse_day(parts[1]) if len(parts) in (5, 6) else None
    if day is None or not numeric(parts[2]) or not numeric(parts[3]) or parts[4] not in ("n", "e") or (
            len(parts) == 6 and not (numeric(parts[5]) and 0 < int(parts[5]) < 10_000)):
        turn.say(turn.t("common.not_available"))
        return
    supervisor_id, page = int(parts[2]), int(parts[3])
    start = int(parts[5]) if len(parts) == 6 else 1
    if not await _may_review_team(turn, supervisor_id, day):
        await refuse_button(turn, "dg", supervisor_id)
        return
    lines = await digest_query.supervisor_lines(turn.uow, supervisor_id, day)
    if not lines:  # everyone moved away or was deactivated since the digest was sent: no page to show
        turn.say(turn.t("digest.team_empty", date=format_date(day, turn.lang)), edit=parts[4] == "e")
        return
    pages = digest.page_count(lines)
    if page >= pages:
        turn.say(turn.t("common.not_available"))
        return
    first = page * digest.PAGE_PEOPLE + 1 if pages > 1 else 1
    last = min(first + digest.PAGE_PEOPLE - 1, len(lines)) if pages > 1 else len(lines)
    rows = digest.page_rows(lines, day=day, supervisor_id=supervisor_id, page=page, t=turn.t, edit=True,
                            start=start)
    shift = start - 1
    names = [f"{number}. {esc(line.name)}"
             for number, line in enumerate(lines[first - 1:last], start=first + shift)]
    text = turn.t("digest.page_title", date=format_date(day, turn.lang), first=first + shift, last=last + shift,
                  total=len(lines) + shift)
    turn.say("\n".join([text, *names]), rows, edit=parts[4] == "e")


async def _mark(turn: Turn, report, status: str, note: str | None) -> bool:
    if not await turn.uow.day.review(report.id, status=status, by=turn.actor.person_id, note=note, at=turn.now,
                                     revision=report.revision):
        return False
    boss, day = esc(turn.actor.name), report.day
    if status == "approved":
        turn.tell(report.person_id,
                  lambda t: Reply(t("review.your_approved", date=format_date(day, t.lang), boss=sentence(boss))))
    else:
        shown = esc(note or "")
        turn.tell(report.person_id, lambda t: Reply(
            t("review.your_returned", date=format_date(day, t.lang), boss=boss, note=shown),
            ((Button(t("button.fix_report"), action("lapor", day.isoformat())),),),
        ))
    await turn.uow.audit.record(turn.now, f"person:{turn.actor.person_id}", f"report_{status}",
                                {"report": report.id, "revision": report.revision, "person_id": report.person_id})
    return True


def resubmitted_notice(name: str, report_id: int, revision: int, summary: str, day: dt.date):
    """What the superior sees when a returned report comes back: its day, the new summary and the review buttons."""
    shown = esc(summary[:MAX_SUMMARY])
    return lambda t: Reply(
        t("report.resubmitted", name=name, date=format_date(day, t.lang)) + "\n" + shown,
        ((Button(t("button.approve"), action("ap", report_id, revision)),
          Button(t("button.return"), action("rt", report_id, revision))),),
        kind=ReplyKind.APPROVAL,
    )
