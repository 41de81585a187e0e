"""Deadline-aware waves: when a briefing wave must start to reach everyone by apel at the send rate, and
`apel outbox status|plan` that shows it."""

import asyncio
import datetime as dt
import json
import math

from sqlalchemy import update
from typer.testing import CliRunner

from bot.cli.app import app
from bot.domain.org_terms import Channel
from bot.outbox.plan import Wave, estimated_finish, plan
from bot.services.routine import Routine
from storage.outbox_tables import OutboxMessage
from storage.unit_of_work import Database
from tests.chat_harness import ChatHarness
from tests.e2e_database import link_everyone
from tests.org_rows import HEAD, KASI, STAF, small_office, write_csv
from tests.test_org_import import run_import

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
    assert runner.invoke(app, ["outbox", "plan", "--format", "csv"]).stdout.startswith(
        "channel,rate,apel,zones,units,people")
    assert {(w["channel"], w["rate"]) for w in waves} == {("telegram", 25.0)}  # nobody on WhatsApp: no plan of it


def _nips() -> list[str]:
    return [row["nip"] for row in small_office()]


def test_a_wave_sent_before_apel_shows_when_it_finished_even_when_asked_after_apel(apel_env, tmp_path, monkeypatch):
    url, schema = apel_env["DATABASE_URL"], apel_env["DATABASE_SCHEMA"] or None
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T06:00:00+07:00")
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "org.csv", small_office()))]).exit_code == 0
    asyncio.run(link_everyone(url, schema, _nips(), 7_000))
    queued = runner.invoke(app, ["run-step", "briefing"])
    assert queued.exit_code == 0, queued.stderr
    waiting = {w["zones"]: w for w in json.loads(runner.invoke(app, ["outbox", "plan", "-f", "json"]).stdout)}
    # People read words, scripts the codes: the queued briefings are "menunggu", "massal" in the table.
    table = runner.invoke(app, ["outbox", "status"], env={"DEFAULT_LANGUAGE": "id", "COLUMNS": "200"}).stdout
    assert "Antrean pesan" in table and "menunggu" in table and "massal" in table and "Rencana gelombang" in table
    coded = json.loads(runner.invoke(app, ["outbox", "status", "-f", "json"]).stdout)
    assert {(r["status"], r["priority"]) for r in coded} == {("queued", 2)}
    assert waiting["WIB"]["sent"] == 0 and waiting["WIB"]["on_time"]  # queued at 06:00, due 07:30: on its way
    # The sender sends the WIB wave at 07:10 WIB; the WITA wave (07:30 WITA, 06:30 WIB) is never sent.
    sent_at = dt.datetime(2026, 11, 23, 0, 10, tzinfo=UTC)
    asyncio.run(_mark_sent(url, schema, WIB_0730, sent_at))
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T10:00:00+07:00")
    waves = {w["zones"]: w for w in json.loads(runner.invoke(app, ["outbox", "plan", "-f", "json"]).stdout)}
    wib = waves["WIB"]
    assert (wib["people"], wib["sent"], wib["finish"], wib["on_time"]) == (2, 2, "2026-11-23T00:10:00+00:00", True)
    assert waves["WITA"]["sent"] == 0 and not waves["WITA"]["on_time"]  # still queued after its apel: late
    # People read the times in the wave's zone, the Indonesian way, and yes/no in their language.
    table = runner.invoke(app, ["outbox", "plan"]).stdout
    rows = {cells[2]: cells for cells in ([c.strip() for c in line.split("│")[1:-1]]
                                          for line in table.splitlines() if line.startswith("│"))}
    assert rows["07.30 WIB"][:2] == ["Telegram", "25"]
    assert rows["07.30 WIB"][8:] == ["07.10 WIB", "yes"]
    assert rows["07.30 WITA"][-1] == "no"


def test_briefings_sent_before_apel_was_moved_still_count_as_sent(apel_env, tmp_path, monkeypatch):
    """The WIB wave went out at 07.10 for a 07.30 apel; later that day apel was moved to 08.00. `outbox plan` then
    showed "Terkirim 0" for today, and an expected finish: sent briefings were counted by the apel time they were
    queued for. They are the day's briefings (by their day and kind), whatever time apel has now."""
    url, schema = apel_env["DATABASE_URL"], apel_env["DATABASE_SCHEMA"] or None
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T06:00:00+07:00")
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "org.csv", small_office()))]).exit_code == 0
    asyncio.run(link_everyone(url, schema, _nips(), 7_000))
    assert runner.invoke(app, ["run-step", "briefing"]).exit_code == 0
    asyncio.run(_mark_sent(url, schema, WIB_0730, dt.datetime(2026, 11, 23, 0, 10, tzinfo=UTC)))
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T09:00:00+07:00")
    assert runner.invoke(app, ["schedule", "set", "apel", "08:00"]).exit_code == 0
    waves = {w["zones"]: w for w in json.loads(runner.invoke(app, ["outbox", "plan", "-f", "json"]).stdout)}
    wib = waves["WIB"]
    assert wib["apel"] == "2026-11-23T01:00:00+00:00"  # 08.00 WIB now
    assert (wib["people"], wib["sent"], wib["finish"], wib["on_time"]) == (2, 2, "2026-11-23T00:10:00+00:00", True)
    assert waves["WITA"]["sent"] == 0  # queued, never sent: still not counted as sent


def test_the_plan_shows_a_start_rounded_down_and_a_finish_rounded_up_to_the_minute(apel_env, tmp_path, monkeypatch):
    """Times were cut to the minute: a finish at 07.30.40, after a 07.30 apel, read "07.30" beside "on time: no".
    The latest start is rounded down (a tick in that minute still starts in time), the finish up (it is not over
    before its minute ends): the finish shown is at or before apel exactly when the wave is on time."""
    url, schema = apel_env["DATABASE_URL"], apel_env["DATABASE_SCHEMA"] or None
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T06:00:00+07:00")
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "org.csv", small_office()))]).exit_code == 0
    asyncio.run(link_everyone(url, schema, _nips(), 7_000))
    assert runner.invoke(app, ["run-step", "briefing"]).exit_code == 0

    def wib_row() -> list[str]:
        table = runner.invoke(app, ["outbox", "plan"], env={"COLUMNS": "200"}).stdout
        rows = {cells[2]: cells for cells in ([c.strip() for c in line.split("│")[1:-1]]
                                              for line in table.splitlines() if line.startswith("│"))}
        return rows["07.30 WIB"][2:]

    for sent_at, finish, on_time in (((0, 30, 40), "07.31 WIB", "no"), ((0, 29, 20), "07.30 WIB", "yes"),
                                     ((0, 29, 0), "07.29 WIB", "yes")):
        asyncio.run(_mark_sent(url, schema, WIB_0730, dt.datetime(2026, 11, 23, *sent_at, tzinfo=UTC)))
        assert wib_row()[6:] == [finish, on_time]
    # Before anything is sent, two briefings take a second at the rate: the latest start is 07.29.59, and the
    # routine's tick at 07.29 is the last that starts it in time.
    monkeypatch.setenv("FAKE_NOW", "2026-11-24T06:00:00+07:00")
    assert wib_row()[5] == "07.29 WIB"


def test_people_reached_on_whatsapp_are_planned_at_whatsapps_rate(apel_env, tmp_path, monkeypatch):
    # The plan counted everyone at Telegram's bulk rate: a WhatsApp wave (72 a second of the number's 80,
    # one briefing a person, so the 6 s per person pace does not lengthen it) was not shown on its own.
    url, schema = apel_env["DATABASE_URL"], apel_env["DATABASE_SCHEMA"] or None
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T06:00:00+07:00")
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "org.csv", small_office()))]).exit_code == 0
    everyone = json.loads(runner.invoke(app, ["outbox", "plan", "-f", "json"]).stdout)
    asyncio.run(link_everyone(url, schema, _nips()[:2], 7_000, Channel.WHATSAPP))
    asyncio.run(link_everyone(url, schema, _nips()[2:3], 8_000))
    waves = json.loads(runner.invoke(app, ["outbox", "plan", "-f", "json"]).stdout)
    by_channel = {c: {w["apel"]: w for w in waves if w["channel"] == c} for c in ("telegram", "whatsapp")}
    assert {w["rate"] for w in by_channel["whatsapp"].values()} == {72.0}
    assert {w["rate"] for w in by_channel["telegram"].values()} == {25.0}
    assert sum(w["people"] for w in by_channel["whatsapp"].values()) == 2
    # Telegram keeps everyone else, those without a chat yet included, as the routine plans them.
    assert sum(w["people"] for w in by_channel["telegram"].values()) == len(small_office()) - 2
    for apel, w in by_channel["whatsapp"].items():  # each wave's people take their channel's time
        total = next(e["people"] for e in everyone if e["apel"] == apel)
        assert w["people"] + by_channel["telegram"][apel]["people"] == total
        length = math.ceil(w["people"] * 1.1 / 72) if w["people"] else 0
        start_by = dt.datetime.fromisoformat(apel) - dt.timedelta(seconds=length)
        assert dt.datetime.fromisoformat(w["start_by"]) == start_by
    table = runner.invoke(app, ["outbox", "plan"], env={"COLUMNS": "200"}).stdout
    assert "WhatsApp" in table and "72" in table


async def _mark_sent(url: str, schema: str | None, target: dt.datetime, at: dt.datetime) -> None:
    """What the sender records for each briefing of one wave it sent."""
    db = Database(url, schema=schema)
    try:
        async with db.uow() as uow:
            await uow.session.execute(
                update(OutboxMessage).where(OutboxMessage.kind == "briefing", OutboxMessage.target_at == target)
                .values(status="sent", sent_at=at))
            await uow.commit()
    finally:
        await db.dispose()


async def _office_on_both_channels(db, clock, tmp_path):
    """Budi (head of office, admin) on Telegram; Dewi and Rudi (WIB) on WhatsApp; it is 07.29 WIB on Monday."""
    clock.current = dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    rows = [{**r, "role": "admin" if r["nip"] == HEAD else ""} for r in small_office()]
    assert (await run_import(db, clock, rows)).ok
    await ChatHarness(db, clock, tmp_path / "tg").link([("901", HEAD)])
    await ChatHarness(db, clock, tmp_path / "wa", channel=Channel.WHATSAPP).link(
        [("6281200000004", KASI), ("6281200000005", STAF)])
    clock.current = WIB_0730 - dt.timedelta(minutes=1)


async def _backlog(db, channel: Channel, count: int) -> None:
    """Messages queued ahead of the wave, wanted by apel (an earlier broadcast still going out)."""
    async with db.uow() as uow:
        uow.session.add_all([OutboxMessage(key=f"backlog:{i}", channel=channel.value, external_id="1", kind="briefing",
                                           payload="{}", target_at=WIB_0730, created_at=WIB_0730)
                             for i in range(count)])
        await uow.commit()


async def _queued(db, channel: Channel) -> int:
    async with db.uow() as uow:
        return await uow.outbox.queued_before(channel, WIB_0730)


def _warnings(out) -> list[tuple[str, str]]:
    return [(o.external_id, o.reply.text) for o in out if "Antrean pesan" in o.reply.text]


async def test_admins_are_warned_of_a_whatsapp_queue_that_cannot_reach_everyone_by_apel(db, clock, tmp_path):
    # Only Telegram's queue was looked at: 200 WhatsApp messages at 1 a second, due by 07.30, went unnoticed.
    await _office_on_both_channels(db, clock, tmp_path)
    await _backlog(db, Channel.WHATSAPP, 200)
    routine = Routine(db.uow, clock=clock, default_language="id", whatsapp_rate=1.0)
    [(admin, text)] = _warnings(await routine.briefings(clock.now(), force=True))
    queued = await _queued(db, Channel.WHATSAPP)  # the backlog, the two briefings, the replies to linking
    assert queued >= 202 and admin == "901" and f"{queued} pesan" in text and "(WHATSAPP_RATE)" in text
    assert "apel pukul 07.30 WIB" in text and "sekitar pukul 07.32 WIB" in text  # at 1 a second from 07.29.00
    assert _warnings(await routine.briefings(clock.now(), force=True)) == []  # once per wave


async def test_a_telegram_queue_is_still_measured_at_telegrams_rate(db, clock, tmp_path):
    await _office_on_both_channels(db, clock, tmp_path)
    await _backlog(db, Channel.TELEGRAM, 3000)
    routine = Routine(db.uow, clock=clock, default_language="id", send_rate=25.0, whatsapp_rate=1.0)
    [(admin, text)] = _warnings(await routine.briefings(clock.now(), force=True))
    queued = await _queued(db, Channel.TELEGRAM) - 1  # the warning to Budi is queued after it was counted
    assert queued >= 3001 and admin == "901" and f"{queued} pesan" in text and "(TELEGRAM_BULK_RATE)" in text
    assert "sekitar pukul 07.31 WIB" in text  # at 25 a second from 07.29.00: two minutes
