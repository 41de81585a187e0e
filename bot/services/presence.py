"""Locations: the home location shared once at onboarding (pending approval), and the day's fixes,
single or live (Telegram sends a live location as a first message and then edits of it)."""

from __future__ import annotations

import datetime as dt

from bot.domain.schedule import local_date
from bot.services import presence_checks
from bot.services.turn import Turn
from bot.texts import format_clock

MAX_LIVE_SECONDS = 86400  # Telegram's longest live period


def valid_coordinates(lat: float, lon: float) -> bool:
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0 and (lat, lon) != (0.0, 0.0)


async def on_location(turn: Turn) -> None:
    loc = turn.inbound.location
    if not valid_coordinates(loc.lat, loc.lon):
        if not loc.is_update:
            turn.say(turn.t("location.bad"))
        return
    # A live location's move never answers a question: no state to read (it is the hot path, see DESIGN.md).
    if not loc.is_update and (await turn.state())[0] == "home_location":
        await turn.uow.people.set_home_pending(turn.actor.person_id, loc.lat, loc.lon, turn.now)
        await turn.clear_state()
        turn.say(turn.t("location.home_saved"))
        return
    at = turn.inbound.at  # when the position was taken (adapters put it on Apel's clock)
    live = loc.live_period_s is not None or loc.is_update
    until = at + dt.timedelta(seconds=min(loc.live_period_s, MAX_LIVE_SECONDS)) if loc.live_period_s else None
    await turn.uow.day.add_fix(
        turn.actor.person_id,
        local_date(at, turn.actor.timezone),
        loc.lat,
        loc.lon,
        loc.accuracy_m,
        at,
        loc.live_key if live else None,
        until,
    )
    if loc.is_update:
        return  # a live location moves many times a day: each move is stored, none is answered
    if await presence_checks.on_location(turn):
        return  # the pin answered a presence check, which said so
    if until:
        turn.say(turn.t("location.live_received", until=format_clock(until, turn.actor.timezone)))
    else:
        turn.say(turn.t("location.received"))
