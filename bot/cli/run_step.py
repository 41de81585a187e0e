"""`apel run-step briefing [--unit NAME]`: run a step of the routine now, through the real channels."""

from __future__ import annotations

from enum import StrEnum

import typer

from bot.cli.context import clock, load_settings, open_database
from bot.cli.output import say
from bot.domain.org_terms import Channel
from bot.services.briefing_run import brief_everyone


class Step(StrEnum):
    BRIEFING = "briefing"


async def run_step_command(
    step: Step = typer.Argument(..., help="briefing"),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit and the units below it."),
) -> None:
    """Run a step of the daily routine now (idempotent: a second run sends nothing new)."""
    settings = load_settings()
    db = open_database(settings)
    try:
        out = await brief_everyone(db.uow, clock=clock(), unit=unit, default_language=settings.default_language.value)
        sent = 0
        telegram = [o for o in out if o.channel is Channel.TELEGRAM]
        if telegram and settings.telegram_bot_token is not None:
            from bot.channels.telegram.app import make_bot
            from bot.channels.telegram.outbound import TelegramSender
            from bot.runtime import build_conversation

            bot = make_bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_url)
            try:
                sender = TelegramSender(bot, build_conversation(settings, db, clock()))
                for outgoing in telegram:
                    sent += bool(await sender.send(outgoing))
            finally:
                await bot.session.close()
        say("cli.step_done", step=step.value, count=len(out), sent=sent)
    finally:
        await db.dispose()
