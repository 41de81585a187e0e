"""After the deadline: the escalation (people still missing, listed to their direct superior once
the escalation delay has passed) and each supervisor's digest at their level's digest time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from bot.domain.html import esc
from bot.domain.supervision import levels
from bot.messages import Attachment, Button, Reply, ReplyKind, Urgency
from bot.ports import Pictures, UnitOfWork
from bot.services import digest
from bot.services.day_schedule import modes_of_people
from bot.services.leave_routing import AWAY, PLH, standing_in
from bot.services.turn import action, translator


async def _org(uow: UnitOfWork):
    people = await uow.org.list_people(None, include_inactive=False)
    id_of = {p.nip: p.id for p in people}
    boss_of = {p.id: id_of.get(p.supervisor_nip) for p in people}
    reports: dict[int, list] = defaultdict(list)
    for p in people:
        if boss_of[p.id] is not None:
            reports[boss_of[p.id]].append(p)
    return {p.id: p for p in people}, boss_of, reports


async def _lines(uow: UnitOfWork, group: dict[int, str], day: dt.date, unit_of: dict[int, str]) -> dict:
    """The digest lines of `group` on `day`; someone without a work day that date has their unit's mode, as in
    `/rekap`: libur on their unit's local day off (a unit in another zone, a regional holiday), not missing."""
    return await digest.lines_for(uow, group, day, await modes_of_people(uow, day, {p: unit_of[p] for p in group}))


async def _reachable(uow: UnitOfWork, person_ids) -> set[int]:
    return {a.person_id for a in await uow.people.addresses(sorted(person_ids))}


async def escalations(uow: UnitOfWork, unit_days: dict, now: dt.datetime, scope, force: bool) -> list:
    people, boss_of, _ = await _org(uow)
    # Per boss, day and unit: people of one boss may sit in zones whose deadlines pass at other times.
    missing_by_boss: dict[tuple[int, dt.date, str], list[str]] = defaultdict(list)
    by_day: dict[dt.date, dict[int, str]] = defaultdict(dict)
    unit_of = {p.id: p.unit for p in people.values()}
    for p in people.values():
        unit_day = unit_days.get(p.unit)
        if unit_day is None or not unit_day.kind.workday or (scope is not None and p.unit not in scope):
            continue
        due = unit_day.deadline_at + dt.timedelta(minutes=unit_day.schedule.escalation_delay_min)
        if boss_of[p.id] is not None and (force or unit_day.due(due, now)):
            by_day[unit_day.day][p.id] = p.name
    for day, group in by_day.items():
        for line in (await digest.lines_for(uow, group, day)).values():
            if line.status == "missing":
                missing_by_boss[(boss_of[line.person_id], day, unit_of[line.person_id])].append(line.name)
    units = await uow.org.stored_units()
    # The direct superior hears, unless they cannot (no chat) or are away (cuti, sakit): then the next one up
    # who can, as for leave requests (`leave_routing`). Each unit's list is still claimed once per superior.
    chains = {boss: _upward(boss, boss_of) for boss, _, _ in missing_by_boss}
    reachable = await _reachable(uow, {p for chain in chains.values() for p in chain})
    everyone = [p for chain in chains.values() for p in chain]
    away = await _away(uow, {day: everyone for _, day, _ in missing_by_boss})
    plh = await standing_in(uow, {(p, day) for boss, day, _ in missing_by_boss for p in chains[boss]})
    keyed = {}
    for (boss, day, unit), names in sorted(missing_by_boss.items()):
        target = _first_at_work(chains[boss], reachable, away, day, plh)
        if target is not None:
            keyed[f"escalate:{day}:{boss}:{units[unit].id}"] = (target, boss, day, names)
    won = await uow.routine.claim_many([(k, target, "escalation", d) for k, (target, _, d, _) in keyed.items()], now)
    # One message per superior for the units that fell due together (a head of office's division heads sit
    # in as many units); each unit is still claimed on its own, so one falling due later comes later.
    due: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    why: dict[int, str] = {}
    for key, (target, boss, day, names) in keyed.items():
        if key in won:
            due[target][boss] += names
            if plh.get((boss, day)) == target:
                why[boss] = PLH
            elif boss != target:
                why[boss] = f"leave.away_{away[(boss, day)]}" if (boss, day) in away else "leave.unlinked"
    return [(target, _escalation(target, {b: sorted(n) for b, n in groups.items()}, people, why), Urgency.NOTICE)
            for target, groups in due.items()]


def _upward(boss: int, boss_of: dict[int, int | None]) -> list[int]:
    """`boss` and the superiors above them, nearest first."""
    chain, seen = [], set()
    while boss is not None and boss not in seen:
        chain.append(boss)
        seen.add(boss)
        boss = boss_of.get(boss)
    return chain


def _escalation(target: int, groups: dict[int, list[str]], people: dict, why: dict[int, str]):
    """One name a line (names carry the commas of their degrees: "Siti Aminah, S.E., M.Si."): the target's
    own people, then each team passed up to them, named with its superior and why."""
    def listed(names: list[str]) -> str:
        return "\n".join(f"• {esc(n)}" for n in names)

    def build(t) -> Reply:
        parts = []
        if target in groups:
            parts.append(t("routine.escalation", count=len(groups[target]), names=listed(groups[target])))
        for boss, names in sorted((b, n) for b, n in groups.items() if b != target):
            if why[boss] == PLH:
                parts.append(t("plh.escalation", count=len(names), boss=esc(people[boss].name), names=listed(names)))
                continue
            parts.append(t("routine.escalation_passed", count=len(names), boss=esc(people[boss].name),
                           why=t(why[boss]), names=listed(names)))
        return Reply("\n\n".join(parts), ((Button(t("button.my_team"), action("team")),),))
    return build


def _below(head: int, reports: dict[int, list]) -> list:
    """Everyone under `head`, from the org already in memory (no query)."""
    found, stack, seen = [], list(reports.get(head, [])), {head}
    while stack:
        person = stack.pop()
        if person.id in seen:
            continue
        seen.add(person.id)
        found.append(person)
        stack.extend(reports.get(person.id, []))
    return found


async def digests(uow: UnitOfWork, unit_days: dict, now: dt.datetime, scope, force: bool, *,
                  pictures: Pictures | None = None, default_language: str = "id") -> list:
    people, boss_of, reports = await _org(uow)
    level_of = levels(boss_of.items())
    # The digest follows the team's working days, not the supervisor's: a day off of their own unit (a local
    # holiday, a five-day week over a unit that works Saturdays) still brings it, at their own digest time,
    # when anyone under them worked (DESIGN "A supervisor's day off").
    team_worked = _team_worked(people, boss_of, unit_days)
    due = []
    for boss_id, level in level_of.items():
        boss = people.get(boss_id)
        unit_day = unit_days.get(boss.unit) if boss else None
        if unit_day is None or (scope is not None and boss.unit not in scope):
            continue
        if not unit_day.kind.workday and (boss_id, unit_day.day) not in team_worked:
            continue
        if force or unit_day.due(unit_day.digest_at(level), now):
            due.append((boss, unit_day))
    # A supervisor on cuti or sakit gets no digest: it goes to the next one up who can get it and review the
    # team (the buttons work for anyone above), saying why, as the escalation's list does.
    chains = {boss.id: _upward(boss.id, boss_of) for boss, _ in due}
    reachable = await _reachable(uow, {p for chain in chains.values() for p in chain})
    chain_days: dict[dt.date, list[int]] = defaultdict(list)
    for boss, unit_day in due:
        chain_days[unit_day.day] += chains[boss.id]
    away = await _away(uow, chain_days)
    # A Plh designated for the day takes the digest in the supervisor's place, at work or not (DESIGN "Plh").
    plh = await standing_in(uow, {(p, day) for day, chain in chain_days.items() for p in chain})
    keys = {}
    for boss, unit_day in due:
        if (boss.id, unit_day.day) in plh:
            target = plh[(boss.id, unit_day.day)]
        elif (boss.id, unit_day.day) in away:
            target = _first_at_work(chains[boss.id][1:], reachable, away, unit_day.day, plh)
        else:
            target = boss.id if boss.id in reachable else None
        if target is not None:
            keys[f"digest:{unit_day.day}:{boss.id}"] = (boss, unit_day, target)
    won = await uow.routine.claim_many([(k, t, "digest", d.day) for k, (_, d, t) in keys.items()], now)
    claimed = [triple for key, triple in keys.items() if key in won]
    # Everyone whose line any claimed digest shows, directly or in a roll-up: one batch of queries per day.
    by_day: dict[dt.date, dict[int, str]] = defaultdict(dict)
    for boss, unit_day, _ in claimed:
        for p in _below(boss.id, reports):
            by_day[unit_day.day][p.id] = p.name
    unit_of = {p.id: p.unit for p in people.values()}
    lines = {day: await _lines(uow, group, day, unit_of) for day, group in by_day.items()}
    thumbs: dict[int, list[str]] = {}
    if pictures is not None:  # every collage's thumbnails in one query per day, not one per supervisor
        for day, group in by_day.items():
            thumbs.update(await uow.day.evidence_thumbs(list(group), day))
    notices = []
    for boss, unit_day, target in claimed:
        day_lines = lines.get(unit_day.day, {})
        mine = [day_lines[p.id] for p in sorted(reports[boss.id], key=lambda p: p.name)]
        rollups = []
        for head in sorted((p for p in reports[boss.id] if p.id in reports), key=lambda p: p.name):
            head_day = unit_days.get(head.unit, unit_day)
            review_by = (head_day.digest_at(level_of[head.id])
                         + dt.timedelta(minutes=head_day.schedule.review_window_min))
            rollups.append(digest.roll_up(head.name, head.unit, [day_lines[p.id] for p in _below(head.id, reports)],
                                          review_by, now))
        why = (PLH if plh.get((boss.id, unit_day.day)) == target else away.get((boss.id, unit_day.day))
               if target != boss.id else None)
        notices.append((target, _digest(mine, unit_day.day, unit_day.unit.timezone, rollups, boss, why), Urgency.BULK))
        if pictures is not None:
            notices += await _pictures(pictures, boss, people[target], mine, rollups, unit_day, default_language,
                                       thumbs)
    return notices


def _team_worked(people: dict, boss_of: dict[int, int | None], unit_days: dict) -> set[tuple[int, dt.date]]:
    """(supervisor, date) for everyone above someone whose unit works that date; each chain walked once."""
    found: set[tuple[int, dt.date]] = set()
    for p in people.values():
        unit_day = unit_days.get(p.unit)
        if unit_day is None or not unit_day.kind.workday:
            continue
        boss = boss_of.get(p.id)
        while boss is not None and (boss, unit_day.day) not in found:
            found.add((boss, unit_day.day))
            boss = boss_of.get(boss)
    return found


async def _pictures(pictures: Pictures, boss, recipient, lines, rollups, unit_day, default_language: str,
                    thumbs) -> list:
    """The digest card and the collage of the day's screenshots, drawn in the recipient's language (the
    supervisor's, or the one above them who reviews while they are away)."""
    t = translator(recipient.language, default_language)
    data = digest.card_data(lines, day=unit_day.day, subtitle=f"{boss.name} · {boss.unit}",
                            timezone=unit_day.unit.timezone, t=t, rollups=rollups)
    card = await pictures.digest_card(data)
    out = [(recipient.id, _photo(card, f"rekap-{unit_day.day}.png", "digest.card_caption"), Urgency.BULK)]
    collage = await pictures.collage([p for x in lines for p in thumbs.get(x.person_id, [])])
    if collage is not None:
        out.append((recipient.id, _photo(collage, f"bukti-{unit_day.day}.jpg", "digest.collage_caption"), Urgency.BULK))
    return out


def _photo(content: bytes, filename: str, caption_key: str):
    return lambda t: Reply(t(caption_key), attachment=Attachment(filename=filename, content=content, is_photo=True),
                           kind=ReplyKind.DIGEST)


def _digest(lines, day, timezone, rollups, boss, why: str | None):
    """`why`: the supervisor's mode when they are away and their digest goes to the one above them, or PLH
    when it goes to their Plh."""
    def build(t) -> Reply:
        shown = digest.render(lines, day=day, timezone=timezone, t=t, rollups=rollups, supervisor_id=boss.id)
        if why is None:
            return shown
        head = (t("plh.digest", boss=esc(boss.name)) if why == PLH else
                t("digest.passed", boss=esc(boss.name), why=t(f"leave.away_{why}")))
        return replace(shown, text=head + "\n" + shown.text)
    return build


async def _away(uow: UnitOfWork, candidates: dict[dt.date, list[int]]) -> dict[tuple[int, dt.date], str]:
    """Who of `candidates` is on cuti or sakit on each day, with that mode."""
    away = {}
    for day, people in candidates.items():
        for pid, work_day in (await uow.day.work_days_for(sorted(set(people)), day)).items():
            if work_day.mode in AWAY:
                away[(pid, day)] = str(work_day.mode)
    return away


async def unreviewed(uow: UnitOfWork, unit_days: dict, now: dt.datetime, scope, force: bool) -> list:
    """The second rung: a superior who, by the end of their review window, still has reports waiting for
    review or people missing is reported to their own superior, once a day."""
    people, boss_of, reports = await _org(uow)
    level_of = levels(boss_of.items())
    due = []
    for boss_id, level in level_of.items():
        boss, upper = people.get(boss_id), boss_of.get(boss_id)
        unit_day = unit_days.get(boss.unit) if boss else None
        if upper is None or unit_day is None or not unit_day.kind.workday:
            continue
        if scope is not None and boss.unit not in scope:
            continue
        end = unit_day.digest_at(level) + dt.timedelta(minutes=unit_day.schedule.review_window_min)
        if force or unit_day.due(end, now):
            due.append((boss, upper, unit_day))
    by_day: dict[dt.date, dict[int, str]] = defaultdict(dict)
    for boss, _, unit_day in due:
        for p in reports[boss.id]:
            by_day[unit_day.day][p.id] = p.name
    unit_of = {p.id: p.unit for p in people.values()}
    lines = {day: await _lines(uow, group, day, unit_of) for day, group in by_day.items()}
    # A supervisor away that day had their digest passed up: the one who got it (`digests`' rule) reviews, and
    # who is late with it is that one, reported to the level above them under the same key (one notice a team).
    # A superior away (or without a chat) is passed over for the next one up, as the escalation's list is.
    chains = {upper: _upward(upper, boss_of) for _, upper, _ in due}
    reachable = await _reachable(uow, {p for chain in chains.values() for p in chain})
    candidates: dict[dt.date, list[int]] = defaultdict(list)
    for boss, upper, unit_day in due:
        candidates[unit_day.day] += [boss.id, *chains[upper]]
    away = await _away(uow, candidates)
    plh = await standing_in(uow, {(p, day) for day, chain in candidates.items() for p in chain})
    pending = {}
    for boss, upper, unit_day in due:
        day, above, team = unit_day.day, chains[upper], None
        if (boss.id, day) in plh or (boss.id, day) in away:
            # Who got the digest (`digests`' rule) reviews it: the Plh, or the first one up at work (or their Plh).
            found = (plh[(boss.id, day)], -1) if (boss.id, day) in plh else _taker(above, reachable, away, day, plh)
            reviewer = found[0] if found is not None else None
            reviewer_day = unit_days.get(people[reviewer].unit) if reviewer in people else None
            if reviewer_day is None or not reviewer_day.kind.workday:
                continue  # nobody got it, or they got it on their own day off: not chased, as for their team
            # Who is told of them is above them: past a Plh who is in the chain (the official's own superior).
            above = above[above.index(reviewer) + 1:] if reviewer in above else above[found[1] + 1:]
            team = (esc(boss.name), PLH if (boss.id, day) in plh else away[(boss.id, day)])
        else:
            reviewer = boss.id
        mine = [lines[day][p.id] for p in reports[boss.id]]
        waiting = sum(digest.waiting_review(x) for x in mine)
        missing = sum(x.status == "missing" for x in mine)
        # Nobody is told of themself: a superior whose Plh is the late reviewer hears it in person.
        target = _first_at_work(above, reachable, away, day, {k: p for k, p in plh.items() if p != reviewer})
        if (waiting or missing) and target is not None:
            why = (None if target == above[0] else PLH if target == plh.get((above[0], day))
                   else away.get((above[0], day), "unlinked"))
            pending[f"unreviewed:{day}:{boss.id}"] = (target, day, (esc(people[reviewer].name), waiting, missing, team),
                                                      (esc(people[above[0]].name), why))
    won = await uow.routine.claim_many([(k, u, "unreviewed", d) for k, (u, d, *_) in pending.items()], now)
    # One message per superior for the supervisors that fell due together (a division head over five
    # section heads got five at once); each supervisor is still claimed on its own.
    due_lines: dict[int, list] = defaultdict(list)
    passed: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for key, (target, _, line, (upper_name, why)) in pending.items():
        if key in won:
            due_lines[target].append(line)
            if why is not None:
                passed[target].add((upper_name, why))
    return [(target, _unreviewed(sorted(found, key=lambda x: (x[0], x[3] or ())), sorted(passed[target])),
             Urgency.NOTICE) for target, found in due_lines.items()]


def _first_at_work(chain: list[int], reachable: set[int], away: dict, day: dt.date, plh: dict) -> int | None:
    """The first of `chain` who can get a message and is not away that day, or the Plh standing in for them."""
    found = _taker(chain, reachable, away, day, plh)
    return found[0] if found is not None else None


def _taker(chain: list[int], reachable: set[int], away: dict, day: dt.date, plh: dict) -> tuple[int, int] | None:
    """`_first_at_work`, with the place in `chain` of the one taken (or stood in for)."""
    for place, p in enumerate(chain):
        if (p, day) in plh:
            return plh[(p, day)], place
        if p in reachable and (p, day) not in away:
            return p, place
    return None


def _unreviewed(found: list[tuple[str, int, int, tuple[str, str] | None]], passed: list[tuple[str, str]]):
    """`found`: (who did not follow up, waiting, missing, and the team's away supervisor and why when the digest
    was theirs, passed up); `passed`: the superiors this notice would have gone to, and why it did not."""
    def build(t) -> Reply:
        if len(found) == 1:
            ((name, waiting, missing, team),) = found
            if team is None:
                lines = [t("routine.unreviewed", name=name, waiting=waiting, missing=missing)]
            else:
                lines = [t("routine.unreviewed_team", name=name, boss=team[0], why=t(f"leave.away_{team[1]}"),
                           waiting=waiting, missing=missing)]
        else:
            lines = [t("routine.unreviewed_many", count=len({n for n, *_ in found}))] + [
                t("routine.unreviewed_line", name=n, waiting=w, missing=m) if team is None else
                t("routine.unreviewed_team_line", name=n, boss=team[0], why=t(f"leave.away_{team[1]}"), waiting=w,
                  missing=m)
                for n, w, m, team in found]
        why = {"unlinked": "leave.unlinked"}
        lines += [t("plh.unreviewed_passed", boss=b) if w == PLH else
                  t("routine.unreviewed_passed", boss=b, why=t(why.get(w, f"leave.away_{w}"))) for b, w in passed]
        return Reply("\n".join(lines))
    return build
