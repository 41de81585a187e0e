"""`apel chat --as NIP`: the console chat on this machine's database."""

from __future__ import annotations

import asyncio

import typer

from bot.channels.console.chat import ConsoleChat
from bot.cli.context import clock, load_settings, open_database
from bot.cli.output import out
from bot.runtime import build_conversation
from bot.services.errors import ServiceError


async def read_line() -> str | None:
    try:
        return await asyncio.to_thread(input, "› ")
    except EOFError:
        return None


def show(text: str) -> None:
    out.print(text, highlight=False)
    out.print()


async def console(nip: str, *, settings=None) -> None:
    settings = settings or load_settings()
    db = open_database(settings)
    try:
        async with db.uow() as uow:
            found = await uow.person_data.find(nip.strip())
        if found is None or not found[1]:
            # Said by the chat itself, it would land on stdout with exit 0: a script could not tell.
            raise ServiceError("console.no_person", nip=nip)
        await ConsoleChat(build_conversation(settings, db, clock()), clock(), read_line, show).run(nip)
    finally:
        await db.dispose()


async def chat_command(
    nip: str = typer.Option(..., "--as", help="The NIP of the person you speak as."),
) -> None:
    """Talk to Apel in the terminal as a person of the org chart (no invite needed here)."""
    await console(nip)
