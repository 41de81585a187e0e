"""Presence checks: moments drawn within working hours, asked once, only to WFH people, answered inside
(ok) or outside (flag), missed after the window (flag), excused by leave or an approved izin, a selfie
asked for and linked, skipped after downtime, answered by a running live location."""

import datetime as dt

import pytest
from sqlalchemy import insert, select, update

from bot.domain.check_moments import draw_moments, judge
from bot.domain.evidence import EvidencePolicy
from bot.domain.flags import FlagKind
from bot.domain.unit_schedule import ScheduleValueError, parse_value, show_value
from bot.messages import LocationIn
from bot.services import presence_checks, schedule_admin
from bot.services.routine import Routine
from storage.day_tables import LeaveRequest
from storage.presence_tables import PresenceCheck
from storage.tables import Person
from tests.chat_harness import ChatHarness, texts
from tests.org_rows import KASI, STAF, small_office
from tests.test_org_import import run_import

UTC = dt.UTC
MONDAY = dt.date(2026, 11, 23)
# Seksi Timur is in WITA (UTC+8): apel 07:30 = 23:30 UTC the day before, deadline 16:00 = 08:00 UTC.
APEL = dt.datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
DEADLINE = dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
HOME = (-1.6, 103.6)
RUDI, DEWI = "501", "502"
SECRET = "test-secret"


def moments(person_id: int, per_day: int = 3, answer_min: int = 15) -> list[dt.datetime]:
    return draw_moments(SECRET, person_id, MONDAY, apel_at=APEL, deadline_at=DEADLINE, per_day=per_day,
                        answer_min=answer_min)


def test_moments_are_within_working_hours_spread_and_deterministic():
    for person_id in range(1, 200):
        drawn = moments(person_id, per_day=4, answer_min=20)
        assert drawn == moments(person_id, per_day=4, answer_min=20)
        assert len(drawn) == 4 and drawn == sorted(drawn)
        assert drawn[0] >= APEL + dt.timedelta(minutes=30)
        assert drawn[-1] <= DEADLINE - dt.timedelta(minutes=20)
        assert all(b - a >= dt.timedelta(minutes=20) for a, b in zip(drawn, drawn[1:]))  # windows never overlap
        assert all(m.second == 0 for m in drawn)
    assert len({tuple(moments(p)) for p in range(1, 50)}) > 45  # people are asked at different moments
    other = draw_moments("another", 1, MONDAY, apel_at=APEL, deadline_at=DEADLINE, per_day=3, answer_min=15)
    assert other != moments(1)
    assert draw_moments(SECRET, 1, MONDAY, apel_at=APEL, deadline_at=APEL + dt.timedelta(minutes=40),
                        per_day=3, answer_min=15) == []  # no room in the day: no check
    assert moments(1, per_day=0) == []


def test_an_answer_inside_the_radius_is_ok_outside_off_site_and_without_home_just_answered():
    assert judge(-1.6, 103.6005, (-1.6, 103.6, 200))[0] == "ok"  # about 56 m
    outcome, distance = judge(-1.6, 103.61, (-1.6, 103.6, 200))
    assert outcome == "off_site" and 1000 < distance < 1200
    assert judge(-1.6, 103.61, (-1.6, 103.6, 2000))[0] == "ok"
    assert judge(-1.6, 103.61, None) == ("answered", None)


def test_the_selfie_setting_is_a_yes_or_no():
    assert parse_value("presence_selfie", "ya") is True and parse_value("presence_selfie", "no") is False
    assert show_value(True) == "yes"
    with pytest.raises(ScheduleValueError):
        parse_value("presence_selfie", "kadang")


@pytest.fixture
async def office(db, clock, tmp_path):
    clock.current = dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    await run_import(db, clock, small_office())
    chat = ChatHarness(db, clock, tmp_path / "media")
    codes = await chat.codes()
    for sender, nip in ((RUDI, STAF), (DEWI, KASI)):
        await chat.text(sender, f"/start {codes[nip]}")
        await chat.text(sender, "/bantuan")  # leaves the home-location question
    async with db.uow() as uow:
        ids = {nip: p.id for nip, p in (await uow.org.stored_people()).items()}
        await schedule_admin.set_field(uow, unit=None, field="presence_checks_per_day", value="3", valid_from=None,
                                       valid_to=None, actor="test", now=clock.now())
        for nip in (STAF, KASI):
            await uow.day.set_mode(ids[nip], MONDAY, "wfh" if nip == STAF else "wfo", "roster", None)
        await uow.commit()
    async with db.engine.begin() as conn:
        await conn.execute(update(Person).where(Person.id == ids[STAF]).values(home_lat=HOME[0], home_lon=HOME[1]))
    chat.ids = ids
    chat.routine = Routine(db.uow, clock=clock, default_language="id", check_secret=SECRET)
    return chat


async def checks(db):
    async with db.engine.connect() as conn:
        return (await conn.execute(select(PresenceCheck).order_by(PresenceCheck.due_at))).all()


async def flags(db, person_id):
    async with db.uow() as uow:
        return (await uow.flags.for_day([person_id], MONDAY)).get(person_id, [])


def asked(out):
    return [o for o in out if "Pemeriksaan kehadiran" in o.reply.text]


async def step(office):
    return await presence_checks.run_step(office.routine, office.clock.now())


async def test_a_wfh_person_is_asked_once_at_each_moment_with_a_location_button(office, db, clock):
    rudi = office.ids[STAF]
    first = moments(rudi)[0]
    clock.current = first - dt.timedelta(minutes=1)
    assert asked(await office.routine.tick()) == []  # planned, not yet due
    planned = await checks(db)
    assert [(c.person_id, c.due_at) for c in planned] == [(rudi, m) for m in moments(rudi)]  # only the WFH person
    clock.current = first
    out = asked(await office.routine.tick())
    assert [o.external_id for o in out] == [RUDI]
    button = out[0].reply.buttons[0][0]
    assert button.request_location and "Kirim lokasi" in button.label
    assert "swafoto" not in out[0].reply.text
    answer_by = first + dt.timedelta(minutes=15)
    assert f"pukul {answer_by.astimezone(dt.timezone(dt.timedelta(hours=8))):%H.%M} WITA" in out[0].reply.text
    clock.advance(minutes=1)
    assert asked(await office.routine.tick()) == []  # the same check is never asked twice
    assert asked(await step(office)) == []
    row = (await checks(db))[0]
    assert (row.asked_at, row.answer_by, row.outcome) == (first, answer_by, "pending")


async def test_a_pin_from_home_answers_ok_and_is_stored_as_a_fix(office, db, clock):
    rudi = office.ids[STAF]
    clock.current = moments(rudi)[0]
    await step(office)
    clock.advance(minutes=3)
    out = await office.location(RUDI, HOME[0] + 0.0003, HOME[1])
    assert "tercatat di sekitar rumah" in texts(out)
    row = (await checks(db))[0]
    assert row.outcome == "ok" and row.answered_at == clock.now() and row.distance_m < 50
    async with db.uow() as uow:
        assert await uow.day.fix_count(rudi, MONDAY) == 1
    assert await flags(db, rudi) == []
    out = await office.location(RUDI, HOME[0], HOME[1])  # a second pin: an ordinary fix
    assert "tercatat di sekitar rumah" not in texts(out)


async def test_a_pin_away_from_home_is_off_site_with_a_flag(office, db, clock):
    rudi = office.ids[STAF]
    clock.current = moments(rudi)[0]
    await step(office)
    clock.advance(minutes=5)
    out = await office.location(RUDI, HOME[0], HOME[1] + 0.05)  # about 5.6 km east
    assert "sekitar 5,6 km dari rumah" in texts(out)  # Indonesian decimal comma, as the WFO check-in writes it
    row = (await checks(db))[0]
    assert row.outcome == "off_site" and 5000 < row.distance_m < 6000
    (flag,) = await flags(db, rudi)
    assert flag.kind is FlagKind.CHECK_OFF_SITE and flag.ref == f"check:{row.id}"
    assert flag.detail == {"km": "5.6", "asked_at": row.asked_at.isoformat()}
    digest = texts(await office.text(DEWI, "/rekap"))
    assert "WITA sekitar 5,6 km dari rumah" in digest and "dari sekitar" not in digest and "5.6" not in digest


async def test_a_home_without_its_own_radius_is_judged_by_the_home_radius_setting(office, db, clock, tmp_path):
    # HOME_RADIUS_M=100 and Rudi's home has no radius: 150 m away is off site, for a pin and for a live
    # location alike (a fixed 200 m used to pass both).
    rudi = office.ids[STAF]
    chat = ChatHarness(db, clock, tmp_path / "media", evidence_policy=EvidencePolicy(default_home_radius_m=100))
    routine = Routine(db.uow, clock=clock, default_language="id", check_secret=SECRET, home_radius_m=100)
    first, second, _ = moments(rudi)
    clock.current = first - dt.timedelta(minutes=3)
    # A second harness over the same database: its own event keys, or its events would count as seen.
    near = (HOME[0] + 0.00135, HOME[1])  # about 150 m north of home
    await chat.send(RUDI, key="radius-live", location=LocationIn(*near, live_period_s=8 * 3600, live_key="live-1"))
    clock.current = first
    assert [o.external_id for o in asked(await presence_checks.run_step(routine, clock.now()))] == [RUDI]
    clock.advance(minutes=2)
    out = await chat.send(RUDI, key="radius-pin", location=LocationIn(*near))
    assert "sekitar 0,2 km dari rumah" in texts(out) and "tercatat di sekitar rumah" not in texts(out)
    row = (await checks(db))[0]
    assert row.outcome == "off_site" and 140 < row.distance_m < 160
    (flag,) = await flags(db, rudi)
    assert flag.kind is FlagKind.CHECK_OFF_SITE
    clock.current = second  # the same pin with the 200 m default would have been at home
    await presence_checks.run_step(office.routine, clock.now())
    clock.advance(minutes=2)
    assert "tercatat di sekitar rumah" in texts(await office.location(RUDI, *near))


async def test_an_unanswered_check_is_missed_after_its_window_with_a_flag(office, db, clock):
    rudi = office.ids[STAF]
    clock.current = moments(rudi)[0]
    await step(office)
    clock.advance(minutes=14)
    await step(office)
    assert (await checks(db))[0].outcome == "pending"
    clock.advance(minutes=1)
    await step(office)
    row = (await checks(db))[0]
    assert row.outcome == "missed"
    (flag,) = await flags(db, rudi)
    assert flag.kind is FlagKind.CHECK_MISSED and flag.detail == {"asked_at": row.asked_at.isoformat()}
    out = await office.location(RUDI, *HOME)  # too late: an ordinary fix, the check stays missed
    assert "tercatat di sekitar rumah" not in texts(out)
    await step(office)
    assert len(await flags(db, rudi)) == 1


async def test_a_pin_just_after_the_window_is_told_the_check_had_closed(office, db, clock):
    """Asked at the first moment, answered 5 minutes after the 15-minute window: Rudi is told plainly that
    the check had closed (his superior sees it as not answered), not a bare 'Lokasi diterima'."""
    rudi = office.ids[STAF]
    clock.current = moments(rudi)[0]
    await step(office)
    asked = clock.now()
    clock.advance(minutes=20)
    out = texts(await office.location(RUDI, *HOME))
    closes = (asked + dt.timedelta(minutes=15)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f"sudah ditutup pukul {closes:%H.%M} WITA" in out and "Lokasi diterima" not in out
    await step(office)
    assert (await checks(db))[0].outcome == "missed"  # a late pin answers nothing
    clock.advance(hours=2)
    assert "ditutup" not in texts(await office.location(RUDI, *HOME))  # long after: an ordinary pin


async def test_leave_and_an_approved_izin_excuse_the_check(office, db, clock):
    rudi = office.ids[STAF]
    first, second, _ = moments(rudi)
    clock.current = first - dt.timedelta(minutes=1)
    await step(office)  # planned while WFH
    async with db.engine.begin() as conn:
        await conn.execute(insert(LeaveRequest).values(
            person_id=rudi, kind="izin", day=MONDAY, starts_at=first - dt.timedelta(minutes=10),
            ends_at=first + dt.timedelta(minutes=30), reason="Ke apotek", status="approved", created_at=clock.now()))
    clock.current = first
    assert asked(await step(office)) == []
    assert (await checks(db))[0].outcome == "excused"
    async with db.uow() as uow:
        await uow.day.set_mode(rudi, MONDAY, "sakit", "leave", "Demam")
        await uow.commit()
    clock.current = second
    assert asked(await step(office)) == []
    assert [c.outcome for c in await checks(db)][:2] == ["excused", "excused"]
    assert await flags(db, rudi) == []


async def test_a_check_asked_during_a_permission_is_excused_not_missed(office, db, clock):
    rudi = office.ids[STAF]
    first = moments(rudi)[0]
    clock.current = first
    await step(office)
    async with db.engine.begin() as conn:  # the superior approves an outing that covers the check
        await conn.execute(insert(LeaveRequest).values(
            person_id=rudi, kind="izin", day=MONDAY, starts_at=first + dt.timedelta(minutes=5),
            ends_at=first + dt.timedelta(hours=1), reason="Ke bank", status="approved", created_at=clock.now()))
    clock.advance(minutes=20)
    await step(office)
    assert (await checks(db))[0].outcome == "excused" and await flags(db, rudi) == []


async def test_a_selfie_is_asked_for_and_linked_to_the_check(office, db, clock):
    rudi = office.ids[STAF]
    async with db.uow() as uow:
        await schedule_admin.set_field(uow, unit=None, field="presence_selfie", value="ya", valid_from=None,
                                       valid_to=None, actor="test", now=clock.now())
        await uow.commit()
    clock.current = moments(rudi)[0]
    out = asked(await step(office))
    assert "swafoto" in out[0].reply.text
    clock.advance(minutes=2)
    assert "Jangan lupa kirim swafoto" in texts(await office.location(RUDI, *HOME))
    clock.advance(minutes=1)
    reply = texts(await office.photo(RUDI))
    assert "Swafoto diterima" in reply
    row = (await checks(db))[0]
    async with db.uow() as uow:
        (photo,) = await uow.day.evidence_for_day(rudi, MONDAY)
    assert row.selfie_evidence_id == photo.id and row.outcome == "ok"
    assert "Swafoto diterima" not in texts(await office.photo(RUDI))  # the next photo is ordinary evidence


async def test_after_downtime_a_check_past_its_window_is_skipped_not_asked(office, db, clock):
    rudi = office.ids[STAF]
    first, second, _ = moments(rudi)
    clock.current = first + dt.timedelta(minutes=15)  # the bot was down for the whole first window
    assert asked(await step(office)) == []
    assert (await checks(db))[0].outcome == "skipped"
    clock.current = second + dt.timedelta(minutes=5)  # late, but still answerable in its own window
    out = asked(await step(office))
    assert [o.external_id for o in out] == [RUDI]
    assert await flags(db, rudi) == []


async def test_a_running_live_location_at_home_answers_without_asking(office, db, clock):
    rudi = office.ids[STAF]
    first = moments(rudi)[0]
    clock.current = first - dt.timedelta(minutes=30)
    await office.location(RUDI, *HOME, live_period_s=8 * 3600, live_key="live-1")
    clock.current = first - dt.timedelta(minutes=3)
    await office.location(RUDI, HOME[0] + 0.0002, HOME[1], live_key="live-1", is_update=True)
    clock.current = first
    assert asked(await step(office)) == []
    row = (await checks(db))[0]
    assert row.outcome == "ok" and row.asked_at == row.answered_at == first


async def test_running_the_step_now_asks_each_wfh_persons_next_check_once(office, db, clock):
    rudi = office.ids[STAF]
    clock.current = APEL + dt.timedelta(minutes=5)  # before the first moment
    out = asked(await presence_checks.run_step(office.routine, clock.now(), force=True))
    assert [o.external_id for o in out] == [RUDI]
    assert asked(await presence_checks.run_step(office.routine, clock.now(), force=True)) == []  # still open
    row = (await checks(db))[0]
    assert row.due_at == moments(rudi)[0] and row.asked_at == clock.now()


def test_the_cli_sets_the_unit_and_runs_the_check_step_now(apel_env, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from bot.cli.app import app
    from tests.org_rows import write_csv

    runner = CliRunner()
    monkeypatch.setenv("FAKE_NOW", "2026-11-23T10:00:00+08:00")
    assert runner.invoke(app, ["org", "import", str(write_csv(tmp_path / "org.csv", small_office()))]).exit_code == 0
    refused = runner.invoke(app, ["schedule", "set", "presence_selfie", "kadang"])
    assert refused.exit_code == 2 and "Write yes or no" in refused.stderr  # a value typed wrongly: usage
    for field, value in (("presence_checks_per_day", "2"), ("presence_selfie", "ya")):
        assert runner.invoke(app, ["schedule", "set", field, value]).exit_code == 0
    assert runner.invoke(app, ["roster", "set", STAF, "2026-11-23", "wfh"]).exit_code == 0
    done = runner.invoke(app, ["run-step", "periksa"])
    assert done.exit_code == 0, done.stderr
    # Rudi has no chat account yet: his check waits for one (planned, not used up).
    assert "The presence check step: 0 messages queued" in done.stderr
