"""Deadline-aware waves: when a briefing wave must start to reach everyone by apel at the send rate, and
`apel outbox status|plan` that shows it."""

import datetime as dt
import json

from typer.testing import CliRunner

from bot.cli.app import app
from bot.outbox.plan import Wave, estimated_finish, plan
from tests.org_rows import small_office, write_csv

UTC = dt.UTC
runner = CliRunner()
WIB_0730 = dt.datetime(2026, 11, 23, 0, 30, tzinfo=UTC)


def test_a_province_of_100000_at_25_per_second_starts_more_than_67_minutes_before_apel():
    [wave] = plan([Wave(WIB_0730, 100_000)], 25.0)
    assert WIB_0730 - wave.start >= dt.timedelta(minutes=67)
    assert wave.start + wave.duration == WIB_0730


def test_earlier_zones_go_first_and_a_later_wave_never_overlaps_an_earlier_one():
    wit, wita = WIB_0730 - dt.timedelta(hours=2), WIB_0730 - dt.timedelta(hours=1)
    planned = plan([Wave(WIB_0730, 90_000), Wave(wit, 20_000), Wave(wita, 40_000)], 25.0)
    assert [p.target for p in planned] == [wit, wita, WIB_0730]
    for earlier, later in zip(planned, planned[1:], strict=False):
        assert earlier.start + earlier.duration <= later.start  # one after another at the rate
        assert earlier.start + earlier.duration <= earlier.target  # and each reaches everyone by its apel


def test_the_estimated_finish_counts_what_is_queued_ahead():
    assert estimated_finish(WIB_0730, 2500, 0, 25.0) == WIB_0730 + dt.timedelta(seconds=110)


def test_outbox_status_and_plan_list_the_queue_and_the_waves(apel_env, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T06:00:00+07:00")
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "org.csv", small_office()))]).exit_code == 0
    status = runner.invoke(app, ["outbox", "status", "--format", "json"])
    assert status.exit_code == 0, status.stderr
    assert json.loads(status.stdout) == []  # nothing queued: nobody has linked a chat yet
    planned = runner.invoke(app, ["outbox", "plan", "--format", "json"])
    assert planned.exit_code == 0, planned.stderr
    waves = json.loads(planned.stdout)
    assert waves and all(w["on_time"] for w in waves)
    assert sum(w["people"] for w in waves) == len(small_office())
    assert runner.invoke(app, ["outbox", "plan", "--format", "csv"]).stdout.startswith("apel,zones,units,people")
