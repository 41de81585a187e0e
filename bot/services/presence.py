"""Locations: the home location (shared at onboarding or with /rumah, pending approval), and the day's
fixes, single or live (Telegram sends a live location as a first message and then edits of it; an edit
without a live period is the moment sharing stopped). On a WFO day a pin is a check-in when it falls
inside the office geofence."""

from __future__ import annotations

import datetime as dt

from bot.domain.coverage import Fence, distance_m, inside
from bot.domain.schedule import local_date
from bot.domain.workday import DEFAULT_MODE, Mode
from bot.services import home_location
from bot.services.presence_day import AT_OFFICE
from bot.services import presence_checks
from bot.services.turn import Turn
from bot.texts import format_clock, format_distance

MAX_LIVE_SECONDS = 86400  # Telegram's longest live period


def valid_coordinates(lat: float, lon: float) -> bool:
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0 and (lat, lon) != (0.0, 0.0)


def usable_accuracy(accuracy_m: float | None) -> float | None:
    # A negative or NaN accuracy is no accuracy at all; kept, it would shrink distances in the geofence checks.
    return accuracy_m if accuracy_m is not None and accuracy_m >= 0 else None


async def on_location(turn: Turn, home_radius_m: int) -> None:
    """`home_radius_m`: HOME_RADIUS_M, the geofence of a home without its own radius (presence checks)."""
    loc = turn.inbound.location
    if not valid_coordinates(loc.lat, loc.lon):
        if not loc.is_update:
            turn.say(turn.t("location.bad"))
        return
    # A live location's move never answers a question: no state to read (it is the hot path, see DESIGN.md).
    if not loc.is_update and (await turn.state())[0] == "home_location":
        await home_location.share(turn, loc.lat, loc.lon)
        return
    at = turn.inbound.at  # when the position was taken (adapters put it on Apel's clock)
    accuracy = usable_accuracy(loc.accuracy_m)
    live = loc.live_period_s is not None or loc.is_update
    if loc.is_update:
        # An edit's live_period counts from the first message, which already stored the end; a stop
        # ends the live location at this moment.
        until = at if loc.stopped else None
    else:
        until = at + dt.timedelta(seconds=min(loc.live_period_s, MAX_LIVE_SECONDS)) if loc.live_period_s else None
    day = local_date(at, turn.actor.timezone)
    await turn.uow.day.add_fix(turn.actor.person_id, day, loc.lat, loc.lon, accuracy, at,
                               loc.live_key if live else None, until)
    if loc.is_update:
        return  # a live location moves many times a day: each move is stored, none is answered
    if await presence_checks.on_location(turn, home_radius_m):
        return  # the pin answered a presence check, which said so
    if until:
        turn.say(turn.t("location.live_received", until=format_clock(until, turn.actor.timezone)))
    checkin = await _office_checkin(turn, day, loc.lat, loc.lon, accuracy, at)
    if checkin:
        turn.say(checkin)
    elif not until:
        turn.say(turn.t("location.received"))


async def _office_checkin(turn: Turn, day: dt.date, lat: float, lon: float, accuracy: float | None,
                          at: dt.datetime) -> str | None:
    """The reply to a pin on an office day, when the unit has an office geofence; None otherwise."""
    work_day = await turn.uow.day.work_day(turn.actor.person_id, day)
    mode = Mode(work_day.mode) if work_day else DEFAULT_MODE
    if mode not in AT_OFFICE:
        return None
    office = (await turn.uow.presence.offices([turn.actor.unit_id])).get(turn.actor.unit_id)
    if office is None or not office.set:
        return None
    fence = Fence(office.lat, office.lon, office.radius_m)
    zone = turn.actor.timezone
    fixes = (await turn.uow.presence.fixes_for([turn.actor.person_id], day)).get(turn.actor.person_id, [])
    first = next((f.at for f in fixes if f.at < at and inside(fence, f.lat, f.lon, f.accuracy_m)), None)
    if not inside(fence, lat, lon, accuracy):
        far = format_distance(distance_m(fence.lat, fence.lon, lat, lon), turn.lang)
        if first is not None:  # out on an errand after checking in: the check-in stands
            return turn.t("presence.outside_after_checkin", distance=far, time=format_clock(first, zone))
        return turn.t("presence.checkin_outside", distance=far, radius=office.radius_m)
    if first is not None:
        return turn.t("presence.checkin_already", time=format_clock(first, zone))
    return turn.t("presence.checkin_ok", time=format_clock(at, zone))

