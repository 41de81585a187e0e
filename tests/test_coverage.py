"""The coverage of a working day from scripted live locations: gaps, an exit from the geofence, stopping
early, accuracy, and excusing the part of an exit inside a permission window."""

import datetime as dt

from bot.domain.coverage import Fence, Fix, coverage, distance_m, inside, subtract

HOME = Fence(-6.2000, 106.8000, 200)
FAR = (-6.2100, 106.8000)  # about 1.1 km south
APEL = dt.datetime(2026, 11, 23, 0, 30, tzinfo=dt.UTC)  # 07.30 WIB
DEADLINE = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # 16.00 WIB


def at(hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split("."))
    return dt.datetime(2026, 11, 23, h - 7, m, tzinfo=dt.UTC)


def live(hhmm, lat=HOME.lat, lon=HOME.lon, *, key="s1", period_h=None, stop=False, accuracy=10.0):
    until = at(hhmm) + dt.timedelta(hours=period_h) if period_h else (at(hhmm) if stop else None)
    return Fix(at(hhmm), lat, lon, accuracy, key, until)


def test_distance_and_accuracy_credit_is_capped():
    assert 1100 < distance_m(HOME.lat, HOME.lon, *FAR) < 1120
    assert inside(HOME, -6.2025, 106.8, 80)  # ~278 m away, 80 m uncertain: could be home
    assert not inside(HOME, -6.2050, 106.8, 1500)  # ~556 m: a vague fix is credited 100 m at most


def test_a_live_location_with_a_gap_and_an_exit():
    fixes = [
        live("07.25", period_h=4),  # until 11.25
        live("09.00"),  # moved a little, still home
        live("10.00", *FAR),  # out
        live("10.40"),  # back home; the first live location runs out at 11.25
        live("12.00", key="s2", period_h=8),  # a new one after a 35-minute gap, until the deadline
    ]
    c = coverage(fixes, HOME, APEL, DEADLINE)
    assert c.expected_minutes == 510
    assert c.away == [(at("10.00"), at("10.40"))]
    assert c.gaps == [(at("11.25"), at("12.00"))]
    assert c.covered_minutes == 510 - 40 - 35
    assert c.coverage_pct == round(100 * 435 / 510, 1)
    assert (c.first_fix_at, c.last_fix_at, c.fixes) == (at("07.25"), at("12.00"), 5)
    assert not c.stopped_early


def test_stopping_the_live_location_ends_coverage_and_is_reported():
    fixes = [live("07.30", period_h=8), live("13.15", stop=True)]  # stopped by hand at 13.15
    c = coverage(fixes, HOME, APEL, DEADLINE)
    assert c.stopped_at == at("13.15") and c.stopped_early
    assert c.covered_minutes == 345
    assert c.gaps == [(at("13.15"), at("16.00"))]


def test_a_live_period_that_runs_out_before_the_deadline_is_stopped_early_too():
    c = coverage([live("07.30", period_h=1)], HOME, APEL, DEADLINE)
    assert c.stopped_at == at("08.30") and c.covered_minutes == 60


def test_single_pins_prove_moments_not_stretches():
    pin = Fix(at("08.00"), HOME.lat, HOME.lon, 5.0)
    c = coverage([pin], HOME, APEL, DEADLINE)
    assert c.covered_minutes == 0 and c.fixes == 1 and c.first_inside_at == at("08.00")
    assert c.gaps == [(APEL, DEADLINE)] and not c.stopped_early


def test_short_jitter_outside_is_not_an_exit():
    fixes = [live("07.30", period_h=9), live("09.00", *FAR), live("09.03")]
    c = coverage(fixes, HOME, APEL, DEADLINE)
    assert c.away == [] and c.covered_minutes == 507


def test_a_permission_window_excuses_only_the_part_it_covers():
    excused, not_excused = subtract((at("10.00"), at("11.00")), [(at("09.30"), at("10.45"))])
    assert excused == [(at("10.00"), at("10.45"))]
    assert not_excused == [(at("10.45"), at("11.00"))]
