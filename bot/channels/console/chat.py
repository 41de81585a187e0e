"""The console chat loop (`apel chat --as NIP`, and `make run` without tokens)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.markup import escape

from bot.domain.org_terms import Channel
from bot.domain.schedule import local_date
from bot.messages import Outgoing
from bot.ports import Clock
from bot.services.briefing import send_briefing
from bot.services.conversation import Conversation
from bot.services.onboarding import console_login
from bot.channels.console.session import ConsoleSession, PathFetcher, render
from bot.services.turn import translator

ReadLine = Callable[[], Awaitable[str | None]]
Show = Callable[[str], None]


class ConsoleChat:
    def __init__(self, conversation: Conversation, clock: Clock, read: ReadLine, show: Show):
        self.conversation = conversation
        self.clock = clock
        self.read = read
        self.show = show
        self.sessions: dict[str, ConsoleSession] = {}
        self.session: ConsoleSession | None = None
        self.person = None
        self.t = translator(None, conversation.default_language)
        self.everyone_linked = False

    async def link_everyone(self) -> None:
        """A console account for every active person who has none yet, in a trial database (nobody on
        Telegram or WhatsApp). The core only tells people it can reach: without this a request for a
        supervisor nobody had spoken as went nowhere, while the requester was told it was sent."""
        async with self.conversation.uow_factory() as uow:
            people = await uow.org.list_people(None, include_inactive=False)
            addresses = await uow.people.addresses([p.id for p in people])
            if any(a.channel is not Channel.CONSOLE for a in addresses):
                # A live office (someone is on Telegram or WhatsApp): a console account would make people
                # count as reachable, and a briefing "sent" to the console is never sent again elsewhere.
                # Only the people spoken as get one, as `console_login` does.
                self.everyone_linked = True
                return
            linked = {a.person_id for a in addresses if a.channel is Channel.CONSOLE}
            for p in people:
                if p.id not in linked:
                    await uow.accounts.link(p.id, Channel.CONSOLE, f"console:{p.nip}", self.clock.now())
            await uow.commit()
        self.everyone_linked = True

    def session_of(self, sender: str) -> ConsoleSession:
        if sender not in self.sessions:
            self.sessions[sender] = ConsoleSession(self.clock, sender=sender)
        return self.sessions[sender]

    async def login(self, nip: str) -> bool:
        if not self.everyone_linked:
            await self.link_everyone()
        person = await console_login(self.conversation.uow_factory, clock=self.clock, nip=nip)
        if person is None:
            self.show("[red]" + escape(self.t("console.no_person", nip=nip)) + "[/red]")
            return False
        self.person = person
        self.t = translator(person.language, self.conversation.default_language)
        self.session = self.session_of(f"console:{person.nip}")
        self.show(self.t("console.you_are", name=escape(person.name), unit=escape(person.unit)))
        if self.session.waiting and not self.session.answered:
            # What arrived for them while the terminal user was someone else, to tap now (their own last
            # answer is not shown again: they have seen it).
            self.show("[dim]" + self.t("console.waiting") + "[/dim]")
            first = 1
            for o in self.session.waiting:
                self.show(render(o, own=True, names={}, t=self.t, first=first))
                first += sum(len(row) for row in o.reply.buttons)
        return True

    async def run(self, nip: str) -> None:
        if not await self.login(nip):
            return
        while True:
            line = await self.read()
            if line is None or line.strip() in (":quit", ":q", ":exit"):
                return
            await self.step(line)

    async def step(self, line: str) -> list[Outgoing]:
        words = line.strip().split()
        if words[:1] == [":help"]:
            self.show(self.t("console.help"))
            return []
        if words[:1] == [":as"] and len(words) == 2:
            await self.login(words[1])
            return []
        if words[:1] == [":briefing"]:
            return await self._briefing()
        parsed = self.session.parse(line)
        if parsed is None:
            return []
        if isinstance(parsed, str):
            self.show("[yellow]" + self.t(parsed) + "[/yellow]")
            return []
        out = await self.conversation.handle(parsed, PathFetcher())
        await self._print(out)
        return out

    async def _briefing(self) -> list[Outgoing]:
        async with self.conversation.uow_factory() as uow:
            actor = await uow.people.actor(self.person.person_id)
        day = local_date(self.clock.now(), actor.timezone)
        out = await send_briefing(
            self.conversation.uow_factory, clock=self.clock, person_id=actor.person_id, day=day,
            default_language=self.conversation.default_language,
        )
        if not out:
            self.show("[dim]" + self.t("console.already_briefed") + "[/dim]")
        await self._print(out)
        return out

    async def _print(self, out: list[Outgoing]) -> None:
        ids = {o.person_id for o in out if o.person_id} | {self.person.person_id}
        async with self.conversation.uow_factory() as uow:
            actors = await uow.people.actors(sorted(ids))
        names = {pid: a.name for pid, a in actors.items()}
        # The framing is for whoever sits at the terminal, in their language (they may just have changed it).
        viewer = actors.get(self.person.person_id)
        self.t = translator(viewer.language if viewer else None, self.conversation.default_language)
        started_over = False
        for o in out:
            own = o.external_id == self.session.sender
            first = None
            if o.channel is Channel.CONSOLE and o.reply.buttons:
                first = self.session_of(o.external_id).take(o, own=own, start_over=own and not started_over)
                started_over = started_over or own
            self.show(render(o, own=own, names=names, t=self.t, first=first))
