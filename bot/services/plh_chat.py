"""Admins handle acting officials (Plh) in chat with /plh: list them, designate one, clear one — the same rules
and audit entries as `apel person plh` (bot/services/plh.py).

    /plh                                            the designations running today or later
    /plh PEJABAT oleh PLH TANGGAL [sampai TANGGAL]  designate (one day without `sampai`)
    /plh hapus PEJABAT [TANGGAL]                    clear from that day (default today) on

A person is named by NIP or by their name or part of it, in any case. Namesakes, or a part that fits several
people, get buttons to pick from (`plh:<person id>`), labelled as /tugaskan labels them (`pick_labels`); the
command waits for the pick in the conversation state."""

from __future__ import annotations

import datetime as dt

from bot.domain.html import esc
from bot.domain.leave_period import parse_date
from bot.domain.nip import normalize_nip
from bot.domain.pick_labels import pick_labels
from bot.messages import Button
from bot.services import plh
from bot.services.errors import ServiceError
from bot.services.refusal import actor_label, refuse, refuse_button
from bot.services.turn import Turn, action, numeric
from bot.texts import format_date

PICK_MAX = 10  # a WhatsApp list holds ten rows; beyond, the admin types more of the name or the NIP
BY = {"oleh", "by"}
CLEAR = {"hapus", "clear"}
UNTIL = {"sampai", "s.d.", "s.d", "sd", "s/d", "hingga", "-", "–", "to", "until"}
SLOTS = ("official", "plh")  # the order the picks are asked in


async def command(turn: Turn, args: str) -> None:
    if not turn.actor.is_admin:
        await refuse(turn, "plh", key="admin.only")
        return
    words = args.split()
    if not words:
        await _listing(turn)
        return
    if words[0].lower() in CLEAR:
        since, rest = _tail_date(words[1:], turn.today)
        if not rest:
            _not_understood(turn)
            return
        pending = {"do": "clear", "since": (since or turn.today).isoformat(),
                   "official": await _candidates(turn, " ".join(rest))}
    else:
        by = next((i for i, w in enumerate(words) if w.lower() in BY), None)
        if not by or by == len(words) - 1:  # no official before "oleh", or nothing after it
            _not_understood(turn)
            return
        first, last, acting = _period(words[by + 1:], turn.today)
        if acting is None:
            turn.say(turn.t("plh.no_period") + "\n" + turn.t("plh.chat_hint"))
            return
        pending = {"do": "set", "first": first.isoformat(), "last": last.isoformat(),
                   "official": await _candidates(turn, " ".join(words[:by])),
                   "plh": await _candidates(turn, " ".join(acting))}
    await _go_on(turn, pending)


async def on_pick(turn: Turn, parts: list[str]) -> None:
    """`plh:<person id>`: the admin picks one of the people their words fitted."""
    state, pending = await turn.state()
    if not turn.actor.is_admin:
        if state == "plh":  # demoted while picking: the half-made designation goes, as the command would
            await turn.clear_state()
        await refuse_button(turn, "plh", parts[1] if len(parts) > 1 else None)
        return
    slot = next((s for s in SLOTS if len(pending.get(s, {}).get("ids", ())) > 1), None) if state == "plh" else None
    if slot is None or len(parts) != 2 or not numeric(parts[1]) or int(parts[1]) not in pending[slot]["ids"]:
        turn.say(turn.t("common.not_available"))
        return
    pending[slot]["ids"] = [int(parts[1])]
    await _go_on(turn, pending)


async def _go_on(turn: Turn, pending: dict) -> None:
    """Ask the next pick, or, everyone named, do it."""
    for slot in SLOTS:
        if slot in pending and len(pending[slot]["ids"]) > 1:
            await turn.set_state("plh", **pending)
            await _ask(turn, slot, pending[slot])
            return
    await turn.clear_state()
    nips = {slot: pending[slot]["nips"][str(pending[slot]["ids"][0])] for slot in SLOTS if slot in pending}
    if pending["do"] == "clear":
        since = dt.date.fromisoformat(pending["since"])
        name, count = await plh.clear_in(turn.uow, nips["official"], since, now=turn.now, actor=actor_label(turn))
        turn.say(turn.t("plh.cleared" if count else "plh.none_to_clear", name=esc(name),
                        since=format_date(since, turn.lang), count=count))
        return
    first, last = dt.date.fromisoformat(pending["first"]), dt.date.fromisoformat(pending["last"])
    try:
        name, acting = await plh.designate_in(turn.uow, nips["official"], nips["plh"], first, last, today=turn.today,
                                              now=turn.now, actor=actor_label(turn))
    except ServiceError as exc:
        if exc.code != "plh.overlap":
            raise
        raise ServiceError("plh.overlap_chat", **exc.params) from None  # told how to clear it here, not in the CLI
    turn.say(turn.t("plh.set", plh=esc(acting), name=esc(name), first=format_date(first, turn.lang),
                    last=format_date(last, turn.lang)))


async def _ask(turn: Turn, slot: str, found: dict) -> None:
    people = await turn.uow.people.actors(found["ids"])
    shown = [people[i] for i in found["ids"] if i in people]
    labels = pick_labels([(p.name, p.nip) for p in shown], 30)
    lines = [turn.t(f"plh.pick_{slot}", who=esc(found["typed"]))]
    lines += [turn.t("plh.pick_line", number=n, name=esc(p.name), unit=esc(p.unit)) for n, p in enumerate(shown, 1)]
    turn.say("\n".join(lines), [(Button(f"{n}. {label}", action("plh", p.person_id)),)
                                for n, (p, label) in enumerate(zip(shown, labels), 1)])


async def _candidates(turn: Turn, typed: str) -> dict:
    """Who `typed` names: {"typed", "ids", "nips"}; a NIP names its holder (active or not: the service says
    which it refuses), words the active people whose name holds them — only those whose whole name they are,
    when there are such. ServiceError when nobody, or too many to pick from."""
    nip = normalize_nip(typed)
    if len(nip) == 18 and nip.isascii() and nip.isdigit():
        holder = await turn.uow.org.holder_of_nip(nip)
        if holder is None:
            raise ServiceError("person_data.unknown", nip=nip)
        return {"typed": typed, "ids": [holder[0]], "nips": {str(holder[0]): nip}}
    found = await turn.uow.people.named(typed, PICK_MAX + 1)
    whole = [p for p in found if p.name.casefold() == typed.casefold()]
    found = whole or found
    if not found:
        raise ServiceError("plh.nobody", who=typed)
    if len(found) > PICK_MAX:
        raise ServiceError("plh.too_many", who=typed, count=PICK_MAX)
    return {"typed": typed, "ids": [p.person_id for p in found], "nips": {str(p.person_id): p.nip for p in found}}


def _period(words: list[str], today: dt.date) -> tuple[dt.date, dt.date, list[str] | None]:
    """`PLH TANGGAL [sampai TANGGAL]` -> (first, last, the Plh's words); None for the words when the words end
    in no date (or `sampai` follows no date)."""
    last, rest = _tail_date(words, today)
    if last is None:
        return today, today, None
    if len(rest) > 1 and rest[-1].lower() in UNTIL:
        first, rest = _tail_date(rest[:-1], today)
        if first is None:
            return today, today, None
        return first, last, rest
    return last, last, rest


def _tail_date(words: list[str], today: dt.date) -> tuple[dt.date | None, list[str]]:
    """The date the words end with (a date in words takes two or three: "23 Nov", "23 November 2026") and the
    words before it, at least one of which is left for a name; a date without a year lies ahead, as for leave."""
    for count in (3, 2, 1):
        if len(words) > count and (found := parse_date(" ".join(words[-count:]), today)) is not None:
            return found, words[:-count]
    return None, words


def _not_understood(turn: Turn) -> None:
    turn.say(turn.t("plh.not_understood") + "\n" + turn.t("plh.chat_hint"))


async def _listing(turn: Turn) -> None:
    found = await plh.listing_in(turn.uow, turn.today)
    lines = [turn.t("plh.list_title" if found else "plh.list_none", date=format_date(turn.today, turn.lang))]
    lines += [turn.t("plh.list_line", plh=esc(r.plh_name), official=esc(r.official_name),
                     first=format_date(r.first_day, turn.lang), last=format_date(r.last_day, turn.lang)) for r in found]
    turn.say("\n".join(lines + ["", turn.t("plh.chat_hint")]))
