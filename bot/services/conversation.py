"""The conversation: every inbound event goes through `Conversation.handle`, in one unit of work.

Repeats of an update are recognised by their key and answered with nothing. A chat identity nobody
is linked to can only redeem an invite; everything else is routed by command, button or the state
the person is in (stored in the database, so a restart loses no half-finished report)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.domain.evidence import EvidencePolicy
from bot.domain.html import esc, sentence
from bot.domain.invites import looks_like_code
from bot.day_records import Address
from bot.domain.org_terms import CHANNEL_NAMES, Channel
from bot.domain.plain_text import without_controls
from bot.messages import Button, Inbound, Outgoing, Reply, Urgency
from bot.ports import Clock, MediaFetcher, MediaStore, SheetReader, UnitOfWorkFactory
from bot.services import (
    admin_chat,
    day_tasks,
    evidence_intake,
    home_location,
    leave,
    leave_cancel,
    leave_decision,
    plh,
    plh_chat,
    presence,
    reporting,
    review,
    routine_chat,
    team,
)
from bot.services.errors import ServiceError
from bot.services.invites import LinkSettings
from bot.services.live_batch import LiveBatcher
from bot.services.menus import ALIASES, CommandMenu, all_menus, help_lines, role_of
from bot.services.onboarding import redeem_in
from bot.services.refusal import REFUSED, stranger_label
from bot.services.routine import Routine
from bot.services.turn import Turn, action, deliver, parse_day, translator
from bot.texts import LANGUAGES

log = logging.getLogger(__name__)

Command = Callable[[Turn, str], Awaitable[None]]  # (turn, the words after the command)


class Conversation:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        clock: Clock,
        media: MediaStore,
        sheets: SheetReader,
        default_language: str,
        default_timezone: str,
        links: LinkSettings,
        invite_ttl: dt.timedelta,
        pseudonym_key: bytes,
        exporter=None,
        check_secret: str = "",
        evidence_policy: EvidencePolicy | None = None,
    ):
        self.uow_factory = uow_factory
        self._chats: weakref.WeakValueDictionary[tuple[Channel, str], asyncio.Lock] = weakref.WeakValueDictionary()
        self.clock = clock
        self.media = media
        self.sheets = sheets
        self.default_language = default_language
        self.default_timezone = default_timezone
        self.links = links
        self.invite_ttl = invite_ttl
        self.pseudonym_key = pseudonym_key  # keys strangers' labels in the audit log (refusal.stranger_label)
        self.evidence_policy = evidence_policy or EvidencePolicy()
        # The policy carries HOME_RADIUS_M: a home without its own radius is judged by it everywhere.
        self.routine = Routine(uow_factory, clock=clock, default_language=default_language, check_secret=check_secret,
                               home_radius_m=self.evidence_policy.default_home_radius_m)
        # The month export's writer (openpyxl) lives outside the core; the runtime hands it in.
        self.exporter = exporter
        # Live-location moves, stored in batches by the channels that get many at once (DESIGN.md).
        self.live = LiveBatcher(uow_factory, clock)
        self.commands = self._command_table()
        # Button actions: the table below, and the one that needs this conversation's sheet reader and limits.
        self.taps = {**TAPS, "orgimp": lambda turn, parts: admin_chat.confirm_import(
            turn, self.sheets, self.default_timezone, self.evidence_policy.max_bytes)}

    async def handle(self, inbound: Inbound, fetcher: MediaFetcher | None = None) -> list[Outgoing]:
        inbound = _without_controls(inbound)
        # One message of a chat at a time, in the order they came: two read at once both found "waiting for a
        # title" and added the task twice (polling hands a person's updates over together, and webhooks may).
        lock = self._chats.setdefault((inbound.channel, inbound.sender), asyncio.Lock())
        async with lock:
            out, later = await self._handle(inbound, fetcher)
        for step in later:  # an admin's /jalankan: a province's wave must not hold their chat meanwhile
            out += await step()
        return out

    async def _handle(self, inbound: Inbound, fetcher: MediaFetcher | None
                      ) -> tuple[list[Outgoing], list[Callable[[], Awaitable[list[Outgoing]]]]]:
        now = self.clock.now()
        async with self.uow_factory() as uow:
            if not await uow.day.first_time_in_chat(inbound.channel, inbound.sender, inbound.event_key, now):
                return [], []
            found = await uow.people.account_actor(inbound.channel, inbound.sender)
            if found is None:
                replies = _keyed(inbound, await self._stranger(uow, inbound, now))
                uow.outbox.add(replies)
                await uow.commit()
                return replies, []
            actor = found.actor
            if found.unreachable:  # they blocked the bot once; writing again means they unblocked it
                await uow.people.mark_reachable(inbound.channel, inbound.sender)
            # Linked on two channels and now writing from the other one: the routine follows (a live
            # location's later positions are not the person writing, and would flip it every minute).
            if found.behind and not (inbound.location is not None and inbound.location.is_update):
                await uow.people.choose(inbound.channel, inbound.sender, now)
            turn = Turn(uow, inbound, actor, now, fetcher, self.default_language, known_state=found.state)
            try:
                await self._route(turn)
            except ServiceError as exc:
                turn.say(turn.t(exc.code, **exc.chat_params(turn.lang)))
            out = _keyed(inbound, [Outgoing(inbound.channel, inbound.sender, r, Urgency.REPLY, actor.person_id)
                                   for r in turn.replies])
            uow.outbox.add(out)
            uow.outbox.scope = f"{inbound.event_key}:n"
            out += await deliver(uow, turn.notices, self.default_language)
            await uow.commit()
        return out, turn.after_commit

    async def mark_unreachable(self, channel: Channel, external_id: str) -> None:
        async with self.uow_factory() as uow:
            await uow.people.mark_unreachable(channel, external_id, self.clock.now())
            await uow.commit()

    async def command_menus(self) -> list[CommandMenu]:
        """The chats with a menu of their own: supervisors, admins, a Plh without a team of their own on the
        days they stand in (their /tim and /rekap work then; the refresher takes it off again after), and
        staff who chose a language other than the office's; each in the language its person chose."""
        async with self.uow_factory() as uow:
            holders = await uow.people.menu_holders(language_other_than=self.default_language)
            acting = {a.person_id: a for a in await plh.acting_now(uow, self.clock.now()) if role_of(a) == "staff"}
            acting_chats = await uow.people.addresses(list(acting), every=True)
        by_menu: dict[tuple[str, str], list[str]] = {}
        chats = [(role_of(actor), actor, address) for actor, address in holders if actor.person_id not in acting]
        chats += [("supervisor", acting[address.person_id], address) for address in acting_chats]
        for role, actor, address in chats:
            if address.channel is Channel.TELEGRAM:
                by_menu.setdefault((role, actor.language or self.default_language), []).append(address.external_id)
        return all_menus(by_menu)

    async def _stranger(self, uow, inbound: Inbound, now: dt.datetime) -> list[Outgoing]:
        t = translator(None, self.default_language)
        words = (inbound.text or "").split()
        if words and words[0].split("@")[0] == "/start":
            words = words[1:]
        # A code read out over the phone is often typed in groups ("ABCD EFGH …"); another command is no code.
        code = "" if words and words[0].startswith("/") else "".join(words)
        detail = _stranger_attempt(inbound)
        redeeming = bool(code) and looks_like_code(code)
        if redeeming:
            result = await redeem_in(uow, now=now, channel=inbound.channel, external_id=inbound.sender, code=code)
            log.info("invite redemption on %s: %s", inbound.channel.value, result.reason)
            if result.linked:
                actor = await uow.people.actor(result.person.person_id)
                turn = Turn(uow, inbound, actor, now, None, self.default_language)
                await self._welcome(turn)
                out = [Outgoing(inbound.channel, inbound.sender, r, Urgency.REPLY, actor.person_id) for r in turn.replies]
                if result.moved_from is not None:
                    out.append(_moved_notice(inbound.channel, result.moved_from, actor, self.default_language))
                for other in await uow.people.addresses([actor.person_id], every=True):
                    if other.channel is not inbound.channel:  # linked on both channels: the routine moves here
                        out.append(_switched_notice(other, inbound.channel, actor, self.default_language))
                return out
            detail = {"command": "start", "reason": result.reason}
        refusal = "onboard.refused"
        if not redeeming and await uow.people.linked_to_deactivated(inbound.channel, inbound.sender):
            # Their own chat, linked before an import deactivated them (retired, moved out): an invite
            # would not help them, and telling them so tells a stranger nothing.
            refusal = "onboard.deactivated"
            detail = {**detail, "reason": "deactivated"}
        await uow.audit.record(now, stranger_label(self.pseudonym_key, inbound.channel, inbound.sender), REFUSED, detail)
        return [Outgoing(inbound.channel, inbound.sender, Reply(t(refusal)), Urgency.REPLY)]

    async def _welcome(self, turn: Turn) -> None:
        await turn.set_state("home_location")
        turn.say(turn.t("onboard.welcome", name=esc(turn.actor.name), unit=esc(turn.actor.unit)))
        turn.say(turn.t("onboard.daily"))
        turn.say(turn.t("onboard.ask_home"), ((Button(turn.t("button.share_home"), request_location=True),),))

    async def _route(self, turn: Turn) -> None:
        inbound = turn.inbound
        if inbound.tap:
            await self._tap(turn, inbound.tap.split(":"))
        elif inbound.location:
            await presence.on_location(turn, self.evidence_policy.default_home_radius_m)
        elif inbound.media:
            if (
                turn.actor.is_admin
                and admin_chat.is_sheet(inbound.media.filename)
                and await admin_chat.try_import(turn, self.sheets, self.default_timezone,
                                               self.evidence_policy.max_bytes)
            ):
                return
            await evidence_intake.on_media(turn, self.media, self.evidence_policy)
        elif inbound.text is not None:
            text = inbound.text.strip()
            if text.startswith("/"):
                command, _, args = text[1:].partition(" ")
                await self._command(turn, command.split("@")[0].lower(), args)
            else:
                await self._text(turn, text)
        else:
            # A sticker, voice note, contact, …: nothing of the routine, but the person deserves an answer.
            turn.say(turn.t("common.unsupported_message"))

    def _command_table(self) -> dict[str, Command]:
        """Every chat command by its Indonesian name (aliases in `menus.ALIASES`); each handler checks
        the person's role itself, so a command missing from a menu is still refused to the wrong person."""
        return {
            "start": self._start,
            "tugas": lambda turn, args: day_tasks.show_tasks(turn),
            "lapor": lambda turn, args: reporting.start(turn),
            "status": lambda turn, args: reporting.status(turn),
            "izin": lambda turn, args: leave.start(turn),
            "rumah": lambda turn, args: home_location.ask(turn),
            "bahasa": lambda turn, args: _ask_language(turn),
            "bantuan": lambda turn, args: self._help(turn),
            "tim": lambda turn, args: team.show_team(turn),
            "tugaskan": lambda turn, args: team.start_assign(turn),
            "rekap": lambda turn, args: routine_chat.digest_now(turn, args, routine=self.routine),
            "ekspor": lambda turn, args: routine_chat.export(turn, args, exporter=self.exporter),
            "undang": lambda turn, args: admin_chat.invites(turn, args, links=self.links, ttl=self.invite_ttl),
            "umumkan": admin_chat.start_announce,
            "plh": plh_chat.command,
            **{name: self._routine_command(name) for name in ("jadwal", "libur", "roster", "jalankan")},
        }

    def _routine_command(self, name: str) -> Command:
        return lambda turn, args: routine_chat.command(turn, name, args, routine=self.routine)

    async def _command(self, turn: Turn, command: str, args: str) -> None:
        command = ALIASES.get(command, command)
        await turn.clear_state()  # a command starts afresh; a half-written report stays saved as a draft
        handler = self.commands.get(command)
        if handler is None:
            turn.say(turn.t("common.unknown_command"))
            return
        await handler(turn, args)

    async def _start(self, turn: Turn, args: str) -> None:
        if args.strip() and looks_like_code(args.strip()):
            result = await redeem_in(turn.uow, now=turn.now, channel=turn.inbound.channel,
                                     external_id=turn.inbound.sender, code=args.strip(),
                                     only_for=turn.actor.person_id)
            if not result.linked:
                # Their own link opened again, or a colleague's forwarded one: this chat stays theirs.
                log.info("invite redemption from a linked chat on %s: %s", turn.inbound.channel.value, result.reason)
                turn.say(turn.t("onboard.already_linked", name=esc(turn.actor.name)))
                return
            turn.actor = await turn.uow.people.actor(result.person.person_id)
            await self._welcome(turn)
            return
        turn.say(turn.t("onboard.again", name=sentence(esc(turn.actor.name))))
        await self._help(turn)

    async def _help(self, turn: Turn) -> None:
        # The Cloud API delivers no live location (only pins): WhatsApp people are told to share a pin.
        evidence = "help.evidence_whatsapp" if turn.inbound.channel is Channel.WHATSAPP else "help.evidence"
        turn.say("\n".join([turn.t("help.title")] + help_lines(role_of(turn.actor), turn.t) + ["", turn.t(evidence)]))

    async def _text(self, turn: Turn, text: str) -> None:
        state, data = await turn.state()
        if state == "own_task":
            await day_tasks.on_own_task_text(turn, text)
        elif state == "block_reason":
            await day_tasks.on_block_reason(turn, data, text)
        elif state == "report" and data.get("step") == "summary":
            await reporting.on_summary_text(turn, text)
        elif state == "report":  # at the tasks step or under the preview: a button, not text, goes on
            step = "preview" if data.get("step") == "preview" else "tasks"
            turn.say(turn.t(f"report.use_buttons_{step}"))
        elif state == "assign":
            await team.on_title_text(turn, data, text)
        elif state == "leave":
            await leave.on_reason(turn, data, text)
        elif state == "refuse_reason":
            await leave_decision.on_refusal_reason(turn, data, text)
        elif state == "return_note":
            await review.on_note(turn, data, text)
        elif state == "announce" and data.get("step") == "text":
            await admin_chat.on_announce_text(turn, text)
        elif state == "home_location":
            turn.say(turn.t("onboard.ask_home"), ((Button(turn.t("button.share_home"), request_location=True),),))
        elif looks_like_code(text):
            # An invite link opened from a linked chat: WhatsApp's carries the bare code, as a first message does.
            await self._start(turn, text)
        else:
            turn.say(turn.t("common.unknown_text"))

    async def _tap(self, turn: Turn, parts: list[str]) -> None:
        handler = self.taps.get(parts[0])
        if handler is None:
            turn.say(turn.t("common.not_available"))
            return
        await handler(turn, parts)


async def _ask_language(turn: Turn) -> None:
    turn.say(turn.t("language.ask"), ((Button("Bahasa Indonesia", action("lang", "id")), Button("English", action("lang", "en"))),))


async def _acknowledge(turn: Turn, parts: list[str]) -> None:
    if len(parts) == 2 and parse_day(parts[1]) == turn.today:
        await turn.uow.day.acknowledge(turn.actor.person_id, turn.today, turn.now)
        turn.say(turn.t("brief.acknowledged"))
    else:
        turn.say(turn.t("common.expired_button"))


async def _language(turn: Turn, parts: list[str]) -> None:
    if len(parts) != 2 or parts[1] not in LANGUAGES:
        turn.say(turn.t("common.not_available"))
        return
    await turn.uow.people.set_language(turn.actor.person_id, parts[1])
    turn.actor = await turn.uow.people.actor(turn.actor.person_id)
    turn.say(turn.t("language.set"), edit=True)


def _moved_notice(channel: Channel, old_chat: str, actor, default_language: str) -> Outgoing:
    """The account a new invite moved the person away from hears it: a lost phone's finder learns nothing new,
    and someone whose forwarded code a colleague used learns why Apel went quiet."""
    t = translator(actor.language, default_language)
    name = CHANNEL_NAMES.get(channel, channel.value)
    return Outgoing(channel, old_chat, Reply(t("onboard.moved", name=esc(actor.name), channel=name)),
                    Urgency.NOTICE, actor.person_id)


def _switched_notice(old: Address, channel: Channel, actor, default_language: str) -> Outgoing:
    """The person's account on the other channel hears that the routine now writes to the new one, and how
    to have it back: writing from it again."""
    t = translator(actor.language, default_language)
    return Outgoing(old.channel, old.external_id,
                    Reply(t("onboard.switched", name=esc(actor.name), channel=CHANNEL_NAMES.get(channel, channel.value))),
                    Urgency.NOTICE, actor.person_id)


def _stranger_attempt(inbound: Inbound) -> dict:
    """What a stranger tried, never what they wrote: a wrong code or a message stays out of the log."""
    if inbound.tap:
        return {"button": inbound.tap.split(":")[0][:16]}
    text = (inbound.text or "").strip()
    if text.startswith("/"):
        command = text[1:].split(" ")[0].split("@")[0].lower()[:16]
        return {"command": ALIASES.get(command, command)}
    if inbound.location:
        return {"message": "location"}
    return {"message": "media" if inbound.media else "text"}


def _without_controls(inbound: Inbound) -> Inbound:
    """What a person typed or named, without the control characters no column may hold (NUL breaks
    PostgreSQL's whole transaction)."""
    media = inbound.media
    if media is not None and media.filename:
        media = replace(media, filename=without_controls(media.filename))
    return replace(inbound, text=without_controls(inbound.text), caption=without_controls(inbound.caption),
                   media=media)


def _keyed(inbound: Inbound, replies: list[Outgoing]) -> list[Outgoing]:
    """Replies keyed by the update (a redelivered update writes nothing twice); the first reply that
    asks to replace the tapped message carries the adapter's handle on that message."""
    target = inbound.extra.get("edit_target")
    out = []
    for i, o in enumerate(replies):
        edit = target if target and o.reply.edit_origin else None
        target = None if edit else target
        out.append(replace(o, kind="reply", key=f"{inbound.event_key}:r{i}", edit_target=edit))
    return out


def _ignoring_parts(handler):
    async def run(turn: Turn, parts: list[str]) -> None:
        await handler(turn)

    return run


# Button actions by their first part (see DESIGN.md "The conversation"); each handler checks the rest.
TAPS = {
    "ack": _acknowledge,
    "lang": _language,
    "tasks": _ignoring_parts(day_tasks.show_tasks),
    "t": day_tasks.on_tap,
    "ev": evidence_intake.on_pick,
    "r": reporting.on_tap,
    "lapor": reporting.on_start_tap,
    "leave": _ignoring_parts(leave.start),
    "lv": leave.on_kind,
    "lvd": leave.on_decision,
    "lvc": leave_cancel.on_cancel,
    "team": _ignoring_parts(team.show_team),
    "tim": team.show_member,
    "timpg": team.team_page,
    "asg": team.on_tap,
    "ap": review.approve,
    "rt": review.start_return,
    "apall": review.approve_all,
    "dg": review.digest_page,
    "ann": admin_chat.on_target,
    "plh": plh_chat.on_pick,
    "home": home_location.on_decision,
}
