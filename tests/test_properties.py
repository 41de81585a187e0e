"""Properties of the parsers and rules, over inputs Hypothesis chooses: times and dates in the three
Indonesian zones, coordinates and geofences, leave requests, HTML splitting and escaping, and the report's
state graph. (NIP validation and the roster's constraints have their own in test_nip.py and test_roster.py.)"""

from __future__ import annotations

import datetime as dt
import html
import math
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.channels.telegram.text_split import split_html, tg_len
from bot.domain.coverage import MAX_ACCURACY_CREDIT_M, Fence, Fix, coverage, inside
from bot.domain.geo import EARTH_RADIUS_M, distance_m
from bot.domain.html import clip, esc
from bot.domain.leave_period import (
    MAX_AHEAD_DAYS,
    MAX_LEAVE_DAYS,
    MAX_OUTING,
    MIN_OUTING,
    DayRangeError,
    parse_day_range,
    parse_duration,
)
from bot.domain.org_cells import CellError, parse_latitude, parse_longitude
from bot.domain.reports import ReportStatus, can_move, is_late, may_edit
from bot.domain.schedule import DaySchedule, in_working_hours, local_date, local_time

ZONES = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}  # WIB, WITA, WIT: no daylight saving
zones = st.sampled_from(sorted(ZONES))
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))
times = st.times()
moments = st.datetimes(min_value=dt.datetime(2000, 1, 2), max_value=dt.datetime(2100, 12, 30),
                       timezones=st.just(dt.UTC))
lats = st.floats(min_value=-90, max_value=90, allow_nan=False)
lons = st.floats(min_value=-180, max_value=180, allow_nan=False)
# Indonesia and around: where the fences and fixes of a real office lie.
near_lats = st.floats(min_value=-11, max_value=6, allow_nan=False)
near_lons = st.floats(min_value=95, max_value=141, allow_nan=False)


# ------------------------------------------------------------------------------------ time zones


@given(days, times, zones)
def test_a_local_clock_time_is_that_day_at_the_zones_fixed_offset(day, at, zone):
    instant = local_time(day, at, zone)
    assert instant.tzinfo is dt.UTC
    assert local_date(instant, zone) == day
    naive = dt.datetime.combine(day, at)
    assert instant.replace(tzinfo=None) == naive - dt.timedelta(hours=ZONES[zone])


@given(moments, zones)
def test_the_local_date_is_the_utc_date_or_the_next_one(moment, zone):
    local = local_date(moment, zone)
    assert local in (moment.date(), moment.date() + dt.timedelta(days=1))
    assert (local == moment.date()) == (moment.hour + ZONES[zone] < 24)


@given(moments, zones, times, times)
def test_working_hours_are_exactly_apel_to_deadline_on_a_workday(moment, zone, start, end):
    assume(start < end)
    schedule = DaySchedule(apel=start, deadline=end)
    local = moment.astimezone(local_time(dt.date(2026, 1, 1), dt.time(), zone).tzinfo)  # UTC, unchanged
    clock = (moment + dt.timedelta(hours=ZONES[zone])).replace(tzinfo=None)
    expected = clock.weekday() < 5 and start <= clock.time() < end
    assert in_working_hours(local, zone, schedule) is expected


@given(moments, moments, zones)
def test_the_same_instant_gives_the_three_zones_dates_in_order(a, b, zone):
    # WIT is ahead of WITA, which is ahead of WIB: a date in Jayapura is never before Jakarta's.
    assert local_date(a, "Asia/Jayapura") >= local_date(a, "Asia/Makassar") >= local_date(a, "Asia/Jakarta")
    if a <= b:
        assert local_date(a, zone) <= local_date(b, zone)


# ------------------------------------------------------------------------------------ coordinates, fences


@given(lats, lons, lats, lons)
def test_distance_is_a_symmetric_non_negative_bounded_measure(lat1, lon1, lat2, lon2):
    d = distance_m(lat1, lon1, lat2, lon2)
    assert d >= 0 and d <= math.pi * EARTH_RADIUS_M + 1e-6
    assert d == pytest.approx(distance_m(lat2, lon2, lat1, lon1), abs=1e-6)
    assert distance_m(lat1, lon1, lat1, lon1) == 0


@given(near_lats, near_lons, near_lats, near_lons, near_lats, near_lons)
def test_distance_obeys_the_triangle_inequality(a1, a2, b1, b2, c1, c2):
    ab, bc, ac = distance_m(a1, a2, b1, b2), distance_m(b1, b2, c1, c2), distance_m(a1, a2, c1, c2)
    assert ac <= ab + bc + 1e-3


@given(near_lats, near_lons, st.floats(min_value=10, max_value=5000), st.floats(min_value=0, max_value=1e7))
def test_the_fence_centre_is_inside_and_a_claimed_accuracy_buys_at_most_the_credit(lat, lon, radius, accuracy):
    fence = Fence(lat, lon, radius)
    assert inside(fence, lat, lon, None)
    # A point due north, farther than the radius plus the largest credit: never inside, whatever accuracy it claims.
    far_north = lat + (radius + MAX_ACCURACY_CREDIT_M + 50) / 111_000 * 1.01
    assert not inside(fence, far_north, lon, accuracy)


@given(near_lats, near_lons, near_lats, near_lons, st.floats(min_value=10, max_value=2000),
       st.floats(min_value=0, max_value=3000), st.one_of(st.none(), st.floats(min_value=0, max_value=5000)))
def test_a_wider_fence_never_leaves_out_what_a_narrower_one_lets_in(flat, flon, lat, lon, radius, more, accuracy):
    if inside(Fence(flat, flon, radius), lat, lon, accuracy):
        assert inside(Fence(flat, flon, radius + more), lat, lon, accuracy)


fix_lists = st.lists(
    st.tuples(st.integers(min_value=-120, max_value=660), st.floats(min_value=-0.02, max_value=0.02),
              st.floats(min_value=-0.02, max_value=0.02), st.sampled_from([None, "a", "b"]),
              st.one_of(st.none(), st.integers(min_value=0, max_value=600))),
    max_size=25)


@given(fix_lists, st.floats(min_value=10, max_value=2000))
@settings(max_examples=150)
def test_coverage_is_never_more_than_the_working_day(raw, radius):
    start = dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=8, minutes=30)
    fixes = [Fix(start + dt.timedelta(minutes=m), -6.2 + dlat, 106.8 + dlon, live_key=key,
                 live_until=None if until is None else start + dt.timedelta(minutes=m + until))
             for m, dlat, dlon, key, until in raw]
    result = coverage(fixes, Fence(-6.2, 106.8, radius), start, end)
    assert result.expected_minutes == 510
    assert 0 <= result.covered_minutes <= result.expected_minutes
    assert 0.0 <= result.coverage_pct <= 100.0
    assert result.fixes == sum(f.at < end for f in fixes)
    for a, b in result.gaps + result.away:
        assert start <= a < b <= end


@given(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([".", ","]))
def test_a_latitude_cell_is_accepted_exactly_when_it_is_on_the_earth(value, decimal):
    typed = repr(value).replace(".", decimal)
    if math.isfinite(value) and -90 <= value <= 90:
        assert parse_latitude(typed) == value
    else:
        with pytest.raises(CellError):
            parse_latitude(typed)
    if math.isfinite(value) and -180 <= value <= 180:
        assert parse_longitude(typed) == value
    else:
        with pytest.raises(CellError):
            parse_longitude(typed)


@given(st.text())
def test_any_text_in_a_coordinate_cell_is_a_cell_error_or_a_coordinate(typed):
    try:
        value = parse_latitude(typed)
    except CellError:
        return
    assert -90 <= value <= 90


# ------------------------------------------------------------------------------------ leave requests


@given(st.text(max_size=40))
def test_any_typed_duration_is_refused_or_within_the_outing_limits(typed):
    got = parse_duration(typed)
    assert got is None or MIN_OUTING <= got <= MAX_OUTING


@given(st.integers(min_value=1, max_value=400), st.sampled_from(["menit", "mnt", "min", "minutes"]))
def test_minutes_typed_are_the_minutes_asked(n, unit):
    expected = dt.timedelta(minutes=n)
    assert parse_duration(f"{n} {unit}") == (expected if MIN_OUTING <= expected <= MAX_OUTING else None)


@given(st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=59))
def test_hours_and_minutes_add_up(hours, minutes):
    expected = dt.timedelta(hours=hours, minutes=minutes)
    got = parse_duration(f"{hours} jam {minutes} menit")
    assert got == (expected if MIN_OUTING <= expected <= MAX_OUTING else None)


@given(st.text(max_size=30), days)
def test_any_typed_day_range_is_refused_politely_or_sensible(typed, today):
    try:
        asked = parse_day_range(typed, today)
    except DayRangeError as refused:
        assert refused.code in ("bad_days", "past_days", "too_many_days", "reversed_days")
        return
    assert today <= asked.first <= asked.last
    assert asked.first <= today + dt.timedelta(days=MAX_AHEAD_DAYS) and asked.days <= MAX_LEAVE_DAYS


@given(days, st.integers(min_value=0, max_value=MAX_AHEAD_DAYS), st.integers(min_value=0, max_value=MAX_LEAVE_DAYS - 1))
def test_a_range_written_with_years_is_read_back(today, ahead, length):
    first = today + dt.timedelta(days=ahead)
    last = first + dt.timedelta(days=length)
    asked = parse_day_range(f"{first:%d/%m/%Y}-{last:%d/%m/%Y}", today)
    assert (asked.first, asked.last) == (first, last)


# ------------------------------------------------------------------------------------ HTML


@given(st.text())
def test_escaped_text_has_no_markup_and_reads_back(value):
    escaped = esc(value)
    assert "<" not in escaped and ">" not in escaped
    assert html.unescape(escaped) == value


@given(st.text(), st.integers(min_value=1, max_value=200))
def test_clip_never_exceeds_its_limit(value, limit):
    clipped = clip(value, limit)
    assert len(clipped) <= limit
    assert clipped == value or clipped.endswith("…")


_TAGS = re.compile(r"<(/?)(b|i|code)>")
words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30).map(esc)
pieces = st.one_of(words, st.just(" "), st.just("\n"), st.just("🙂"), st.sampled_from(["<b>", "<i>", "<code>"]))


def _well_formed(text: str) -> bool:
    stack = []
    for closing, name in _TAGS.findall(text):
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def _balanced(parts: list[str]) -> str:
    """Close what is open, in order: a text the core could have written."""
    out, stack = [], []
    for p in parts:
        if p in ("<b>", "<i>", "<code>"):
            if p[1:-1] in stack or "code" in stack:
                continue  # Telegram refuses nesting the same tag, and anything inside <code>
            stack.append(p[1:-1])
        out.append(p)
        if stack and len(out) % 7 == 0:
            out.append(f"</{stack.pop()}>")
    out += [f"</{name}>" for name in reversed(stack)]
    return "".join(out)


@given(st.lists(pieces, min_size=1, max_size=600), st.sampled_from([256, 1024, 4096]))
@settings(max_examples=120, deadline=None)
def test_every_part_of_a_split_message_fits_and_is_valid_html_on_its_own(parts, limit):
    text = _balanced(parts)
    assume(_TAGS.sub("", text).strip())
    split = split_html(text, limit)
    assert split
    for part in split:
        # Telegram's rule: the text after entity parsing (tags gone, &lt; one character), in UTF-16 units
        assert tg_len(html.unescape(_TAGS.sub("", part))) <= limit
        assert _well_formed(part), part
        assert _TAGS.sub("", part).strip()  # Telegram refuses an empty message
    visible = lambda s: re.sub(r"\s+", "", _TAGS.sub("", s))  # noqa: E731
    assert "".join(visible(p) for p in split) == visible(text)  # nothing lost, nothing added


# ------------------------------------------------------------------------------------ the report


# The graph as the README tells staff and supervisors, written out independently of the code's table.
DOCUMENTED = {
    (None, ReportStatus.SUBMITTED), (ReportStatus.DRAFT, ReportStatus.SUBMITTED),
    (ReportStatus.SUBMITTED, ReportStatus.SUBMITTED),  # edited and sent again before the deadline
    (ReportStatus.SUBMITTED, ReportStatus.APPROVED), (ReportStatus.SUBMITTED, ReportStatus.RETURNED),
    (ReportStatus.RETURNED, ReportStatus.SUBMITTED),
}
statuses = st.sampled_from(list(ReportStatus))


@given(st.lists(statuses, max_size=30))
def test_a_report_only_moves_along_the_documented_graph(wanted):
    current = None
    for target in wanted:
        if can_move(current, target):
            assert (current, target) in DOCUMENTED or (current is None and (ReportStatus.DRAFT, target) in DOCUMENTED)
            current = target
    if ReportStatus.APPROVED in wanted[:-1] and current is ReportStatus.APPROVED:
        assert all(not can_move(current, t) for t in ReportStatus)  # approved is final


@given(st.sampled_from([None, *ReportStatus]), moments, moments)
def test_editing_after_the_deadline_only_for_a_first_or_returned_report(status, now, deadline):
    allowed = may_edit(status, now, deadline)
    if status is ReportStatus.APPROVED:
        assert not allowed
    elif status is ReportStatus.SUBMITTED:
        assert allowed is (now < deadline)
    else:
        assert allowed


@given(moments, moments)
def test_late_is_at_or_after_the_deadline(submitted, deadline):
    assert is_late(submitted, deadline) is (submitted >= deadline)
