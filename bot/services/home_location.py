"""The home location: shared in chat (at onboarding, or later with /rumah to change it), it waits until
the direct superior (or, for someone without one, an admin) approves it with a button; the approved
home stays in force until a change is approved. Imported coordinates count as approved. A superior who
cannot get it (no chat, blocked the bot) or is away is passed over as for leave requests (`leave_routing`).

The point itself is sensitive: only the approvers are sent the coordinates. The buttons carry the
moment the point was shared, so a button of a point that was replaced or already decided does nothing;
only someone above the person in the chain, or an admin, may decide (never the person themself)."""

from __future__ import annotations

from bot.domain.coverage import distance_m
from bot.domain.html import esc, sentence
from bot.messages import Button, Reply
from bot.services.leave_decision import passed_line
from bot.services.leave_routing import deciders_for, why_key
from bot.services.plh import acts_for
from bot.services.refusal import actor_label, refuse_button
from bot.services.turn import Turn, action, numeric
from bot.texts import format_distance


async def ask(turn: Turn) -> None:
    """/rumah: ask for the new home location (the one in force stays until the new one is approved)."""
    await turn.set_state("home_location")
    home = await turn.uow.presence.home(turn.actor.person_id)
    key = "presence.home_ask_change" if home is not None and home.approved else "presence.home_ask"
    turn.say(turn.t(key), ((Button(turn.t("button.share_home"), request_location=True),),))


async def share(turn: Turn, lat: float, lon: float) -> None:
    person_id = turn.actor.person_id
    await turn.uow.people.set_home_pending(person_id, lat, lon, turn.now)
    await turn.clear_state()
    home = await turn.uow.presence.home(person_id)
    deciders = await deciders_for(turn.uow, person_id, turn.today)
    approvers = [a for a in deciders.to if a != person_id]
    passed_over = None
    if deciders.passed_over is not None and approvers:
        passed_over = ((await turn.uow.people.actors([deciders.passed_over]))[deciders.passed_over].name,
                       why_key(deciders))
    turn.say(turn.t("location.home_saved" if approvers else "presence.home_no_approver"))
    stamp = int(home.pending_at.timestamp())
    name = esc(turn.actor.name)
    moved = distance_m(home.lat, home.lon, lat, lon) if home.approved else None

    def notice(t) -> Reply:
        body = [t("presence.home_request", name=name, lat=f"{lat:.6f}", lon=f"{lon:.6f}")]
        if moved is not None:
            body.append(t("presence.home_request_moved", distance=format_distance(moved, t.lang)))
        if passed_over is not None:
            body.append(passed_line(t, passed_over, "permit.request_passed"))
        buttons = ((Button(t("button.approve"), action("home", person_id, stamp, "y")),
                    Button(t("button.refuse"), action("home", person_id, stamp, "n"))),)
        return Reply("\n".join(body), buttons)

    for approver in approvers:
        turn.tell(approver, notice)


async def on_decision(turn: Turn, parts: list[str]) -> None:
    """`home:<person>:<shared at, epoch seconds>:y|n`."""
    if len(parts) != 4 or not numeric(parts[1]) or not numeric(parts[2], None) or parts[3] not in ("y", "n"):
        turn.say(turn.t("common.not_available"))
        return
    person_id = int(parts[1])
    home = await turn.uow.presence.home(person_id)
    current = home is not None and home.pending and int(home.pending_at.timestamp()) == int(parts[2])
    allowed = person_id != turn.actor.person_id and (
        turn.actor.is_admin or turn.actor.person_id in await turn.uow.people.chain(person_id)
        or await acts_for(turn.uow, turn.actor.person_id, person_id, turn.today)
    )
    if home is not None and not allowed:
        await refuse_button(turn, "home", person_id)
        return
    if not current:
        turn.say(turn.t("common.not_available"))
        return
    approved = parts[3] == "y"
    if approved:
        done = await turn.uow.presence.approve_home(person_id, home.pending_at, turn.actor.person_id, turn.now)
    else:
        done = await turn.uow.presence.refuse_home(person_id, home.pending_at)
    if not done:
        turn.say(turn.t("common.not_available"))
        return
    await turn.uow.audit.record(turn.now, actor_label(turn), "home_approved" if approved else "home_refused",
                                {"person_id": person_id})
    person = await turn.uow.org.person_by_id(person_id)  # also someone an import deactivated since
    name = esc(person.name) if person else ""
    turn.say(turn.t("presence.home_approved" if approved else "presence.home_refused", name=name), edit=True)
    # The approval ends with the name: a title's own full stop ends it ("…, M.M."), else one is added.
    boss = sentence(esc(turn.actor.name)) if approved else esc(turn.actor.name)
    key = "presence.your_home_approved" if approved else "presence.your_home_refused"
    turn.tell(person_id, lambda t: Reply(t(key, boss=boss)))
