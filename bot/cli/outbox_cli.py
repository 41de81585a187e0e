"""`apel outbox status|plan`: what waits to be sent, and whether today's briefing waves reach everyone
by apel at the configured rate."""

from __future__ import annotations


import typer

from bot.clock import iso_utc
from bot.cli.context import clock, load_settings, open_database, run_async
from bot.cli.output import FORMAT_OPTION, Format, current_language, emit
from bot.domain.org_terms import CHANNEL_NAMES, Channel
from bot.outbox.plan import minute_up
from bot.outbox.rate import whatsapp_bulk_rate
from bot.services import outbox_status
from bot.texts import format_clock, text

app = typer.Typer(help="The outbox: messages waiting to be sent, and the plan of the briefing waves.",
                  no_args_is_help=True)


@app.command("status")
@run_async
async def status_command(fmt: Format = FORMAT_OPTION) -> None:
    """Messages per channel, state, priority and kind (queued, sending, sent, failed, expired)."""
    settings = load_settings()
    db = open_database(settings)
    try:
        async with db.uow() as uow:
            counts = await outbox_status.queue(uow)
            waves = await outbox_status.waves(uow, clock().now(), _bulk_rates(settings))
    finally:
        await db.dispose()
    lang = current_language()
    # Scripts keep the codes (0 reply, 1 reminder or approval, 2 bulk; the statuses); people read words.
    def word(group: str, code) -> str:
        return text(lang, f"cli.outbox_{group}_{code}") if fmt is Format.TABLE else code

    records = [{"channel": c.channel, "status": word("status", c.status), "priority": word("priority", c.priority),
                "kind": c.kind, "count": c.count} for c in counts]
    emit(records, [("channel", "cli.outbox_h_channel"), ("status", "cli.outbox_h_status"),
                   ("priority", "cli.outbox_h_priority"), ("kind", "cli.outbox_h_kind"),
                   ("count", "cli.outbox_h_count")], fmt, title=text(lang, "cli.outbox_queue_title"))
    if fmt is Format.TABLE:
        _emit_plan(waves, fmt, title=text(lang, "cli.outbox_plan_title"))


def _bulk_rates(settings) -> dict[Channel, float]:
    """Each channel's bulk sends a second, as its senders pace them (bot/outbox/rate.py)."""
    return {Channel.TELEGRAM: settings.telegram_bulk_rate, Channel.WHATSAPP: whatsapp_bulk_rate(settings.whatsapp_rate)}


@app.command("plan")
@run_async
async def plan_command(fmt: Format = FORMAT_OPTION) -> None:
    """Today's briefing waves per channel: people per apel, latest start at its rate, expected finish."""
    settings = load_settings()
    db = open_database(settings)
    try:
        async with db.uow() as uow:
            waves = await outbox_status.waves(uow, clock().now(), _bulk_rates(settings))
    finally:
        await db.dispose()
    _emit_plan(waves, fmt)


def _emit_plan(waves, fmt: Format, title: str | None = None) -> None:
    # Scripts get the exact instants in UTC; people read the times in the wave's zone, the Indonesian way
    # ("07.30 WITA"), to the minute: the latest start rounded down (the routine's tick in that minute still starts
    # it in time), the finish rounded up, so that it shows at or before apel exactly when the wave is on time.
    def when(moment, w, finish: bool = False) -> str:
        if fmt is not Format.TABLE:
            return iso_utc(moment)
        return format_clock(minute_up(moment) if finish else moment, w.timezone)

    table = fmt is Format.TABLE
    records = [{"channel": CHANNEL_NAMES[w.channel] if table else w.channel.value,
                "rate": f"{w.rate:g}" if table else float(w.rate), "apel": when(w.target, w), "zones": w.zones,
                "units": w.units, "people": w.people, "sent": w.sent, "start_by": when(w.start, w),
                "finish": when(w.finish, w, finish=True), "on_time": w.on_time}
               for w in waves]
    emit(records, [("channel", "cli.outbox_h_channel"), ("rate", "cli.outbox_h_rate"), ("apel", "cli.outbox_h_apel"),
                   ("zones", "cli.outbox_h_zones"), ("units", "cli.outbox_h_units"),
                   ("people", "cli.outbox_h_people"), ("sent", "cli.outbox_h_sent"),
                   ("start_by", "cli.outbox_h_start"), ("finish", "cli.outbox_h_finish"),
                   ("on_time", "cli.outbox_h_on_time")], fmt, title=title)
