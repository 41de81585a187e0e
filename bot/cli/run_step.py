"""`apel run-step briefing|pengingat|rekap|periksa [--unit NAME]`: a step of the routine now; its messages
go into the outbox for the running bot's senders. Idempotent like the ticks (nobody gets a step twice)."""

from __future__ import annotations

import functools
from enum import StrEnum

import typer

from bot.cli.context import clock, load_settings, open_database
from bot.cli.output import current_language, say
from bot.domain.org_terms import Channel
from bot.runtime import build_routine
from bot.services import presence_checks
from bot.texts import text


class Step(StrEnum):
    BRIEFING = "briefing"
    PENGINGAT = "pengingat"
    REKAP = "rekap"
    PERIKSA = "periksa"  # presence checks: each WFH person's next planned check, asked now


async def run_step_command(
    step: Step = typer.Argument(..., help="briefing, pengingat (reminders), rekap (digests) or periksa (presence checks)"),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit and the units below it."),
) -> None:
    """Run a step of the daily routine now (idempotent: a second run sends nothing new)."""
    settings = load_settings()
    db = open_database(settings)
    try:
        routine = build_routine(settings, db, clock())
        now = clock().now()
        run = {Step.BRIEFING: routine.briefings, Step.PENGINGAT: routine.reminders, Step.REKAP: routine.digests,
               Step.PERIKSA: functools.partial(presence_checks.run_step, routine)}[step]
        out = await run(now, unit=unit, force=True)
        # Queued in the outbox with the step's own transaction; the running bot's senders send them. Messages to
        # console accounts (a trial database) never enter the outbox: counted apart, not as queued.
        console = sum(o.channel is Channel.CONSOLE for o in out)
        say("cli.step_done", step=text(current_language(), f"routine.step_{step.value}"), count=len(out) - console)
        if console:
            say("cli.step_console", count=console)
    finally:
        await db.dispose()
