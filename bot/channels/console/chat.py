"""The console chat loop (`apel chat --as NIP`, and `make run` without tokens)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

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
        self.session: ConsoleSession | None = None
        self.person = None
        self.t = translator(None, conversation.default_language)

    async def login(self, nip: str) -> bool:
        person = await console_login(self.conversation.uow_factory, clock=self.clock, nip=nip)
        if person is None:
            self.show("[red]" + self.t("console.no_person", nip=nip) + "[/red]")
            return False
        self.person = person
        self.session = ConsoleSession(self.clock, sender=f"console:{person.nip}")
        self.show(self.t("console.you_are", name=person.name, unit=person.unit))
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
        ids = {o.person_id for o in out if o.person_id}
        async with self.conversation.uow_factory() as uow:
            names = {pid: a.name for pid, a in (await uow.people.actors(sorted(ids))).items()}
        self.session.remember(out)
        for o in out:
            self.show(render(o, own=o.external_id == self.session.sender, names=names, t=self.t))
