"""`apel org office [UNIT] [--lat --lon --radius | --clear]`: a unit's office geofence for WFO check-ins."""

from __future__ import annotations

import typer

from bot.cli.context import CLI_ACTOR, clock, load_settings, open_database, run_async
from bot.cli.output import FORMAT_OPTION, Format, emit, fail, say
from bot.domain.org_cells import CellError, parse_latitude, parse_longitude
from bot.services import office_admin


@run_async
async def office_command(
    unit: str | None = typer.Argument(None, help="The unit; without options, show its office (or all units')."),
    # Text, read like the org chart's cells: an Indonesian admin types -1,6101 as readily as -1.6101, and
    # Typer's own float parsing would refuse that in English.
    lat: str | None = typer.Option(None, "--lat", help="Latitude of the office, e.g. -1.6101 or -1,6101."),
    lon: str | None = typer.Option(None, "--lon", help="Longitude of the office, e.g. 103.6131 or 103,6131."),
    radius: int | None = typer.Option(None, "--radius", help="Radius of the geofence in metres (10-5000)."),
    clear: bool = typer.Option(False, "--clear", help="Remove the unit's office geofence."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Set, clear or show the office location and radius that WFO check-ins are judged against."""
    settings = load_settings()  # first: it sets the language the refusals below are told in
    setting = lat is not None or lon is not None or radius is not None
    if clear and setting:  # which one was meant? Doing either would surprise half of the people typing it.
        raise fail("cli.office_clear_and_set")
    if unit is None and (clear or setting):  # it used to list all offices and change nothing
        raise fail("cli.office_needs_unit")
    try:
        lat = None if lat is None else parse_latitude(lat)
        lon = None if lon is None else parse_longitude(lon)
    except CellError as exc:
        raise fail(exc.code, **exc.params) from None
    db = open_database(settings)
    try:
        if clear or setting:
            values = (None, None, None) if clear else (lat, lon, radius)
            await office_admin.set_office(db.uow, now=clock().now(), unit=unit, lat=values[0], lon=values[1],
                                          radius_m=values[2], actor=CLI_ACTOR)
            say("cli.office_cleared" if clear else "cli.office_set", unit=unit)
        found = await office_admin.offices(db.uow, unit)
    finally:
        await db.dispose()
    records = [{"unit": o.unit, "lat": o.lat, "lon": o.lon, "radius_m": o.radius_m} for o in found]
    emit(records, [("unit", "col.unit"), ("lat", "cli.office_h_lat"), ("lon", "cli.office_h_lon"),
                   ("radius_m", "cli.office_h_radius")], fmt)
