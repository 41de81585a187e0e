"""Presence through the conversation: the home approved by the superior (not by a stranger), a change
that needs approval again; WFO check-in inside and outside the office geofence; a WFH day's live
location with an exit (partly excused by an approved permission) and stopped early, computed after the
deadline into a summary and flags that the digest shows in text and JSON."""

import datetime as dt

import pytest

from bot.domain.org_terms import Channel
from bot.services import digest as digests
from bot.services.digest_query import as_record, digests_for
from bot.services.routine import Routine
from bot.services.turn import translator
from storage.day_tables import LeaveRequest
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, actions, texts
from tests.org_rows import HEAD, KABID, KASI, SEK, STAF, small_office
from tests.test_org_import import run_import

RUDI, DEWI, ANDI, SITI, BUDI = "501", "502", "503", "504", "505"
HOME = (-1.6000, 103.6000)
NEW_HOME = (-1.6100, 103.6000)  # ~1.1 km away
OFFICE = (-1.5900, 103.6100)
DAY = dt.date(2026, 11, 23)
WITA = dt.timezone(dt.timedelta(hours=8))  # Seksi Timur's zone (Asia/Makassar)


def wita(hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split("."))
    return dt.datetime(2026, 11, 23, h, m, tzinfo=WITA).astimezone(dt.UTC)


@pytest.fixture
async def chat(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    rows = small_office()
    rows[0]["role"] = "admin"
    await run_import(db, clock, rows)
    harness = ChatHarness(db, clock, tmp_path / "media")
    codes = await harness.codes()
    for sender, nip in ((RUDI, STAF), (DEWI, KASI), (ANDI, KABID), (SITI, SEK), (BUDI, HEAD)):
        await harness.text(sender, f"/start {codes[nip]}")
    harness.ids = {nip: p.id for nip, p in (await _stored(db)).items()}
    return harness


async def _stored(db):
    async with db.uow() as uow:
        return await uow.org.stored_people()


async def home_of(db, person_id):
    async with db.uow() as uow:
        return await uow.presence.home(person_id)


def home_buttons(out):
    return [a for a in actions(out) if a.startswith("home:")]


async def test_the_superior_approves_a_home_a_stranger_cannot_and_a_change_needs_approval_again(chat, db, clock):
    shared = await chat.location(RUDI, *HOME)
    assert "menunggu persetujuan" in texts(shared, RUDI)
    to_boss = texts(shared, DEWI)
    assert "Rudi Hartono" in to_boss and "-1.600000, 103.600000" in to_boss  # only the chain sees the point
    assert not texts(shared, SITI) and not texts(shared, BUDI)
    approve, refuse = home_buttons(shared)
    assert approve.endswith(":y") and refuse.endswith(":n")
    assert "tidak berlaku" in texts(await chat.tap(SITI, approve))  # not in Rudi's chain
    assert "tidak berlaku" in texts(await chat.tap(RUDI, approve))  # never one's own
    assert not (await home_of(db, chat.ids[STAF])).approved
    done = await chat.tap(DEWI, approve)
    assert "disetujui" in texts(done, DEWI) and "Lokasi rumah Anda disetujui oleh Dewi Lestari." in texts(done, RUDI)
    home = await home_of(db, chat.ids[STAF])
    assert (home.lat, home.lon, home.pending) == (*HOME, False)
    assert "tidak berlaku" in texts(await chat.tap(DEWI, approve))  # already decided

    clock.advance(minutes=5)
    asked = await chat.text(RUDI, "/rumah")
    assert "tetap berlaku" in texts(asked)
    changed = await chat.location(RUDI, *NEW_HOME)
    assert "berjarak 1,1 km dari" in texts(changed, DEWI)  # 1112 m, written like the WFO check-in reply
    home = await home_of(db, chat.ids[STAF])
    assert (home.lat, home.lon, home.pending) == (*HOME, True)  # the old home stays in force
    _, refuse_new = home_buttons(changed)
    refused = await chat.tap(DEWI, refuse_new)
    assert "ditolak oleh Dewi Lestari" in texts(refused, RUDI)
    home = await home_of(db, chat.ids[STAF])
    assert (home.lat, home.lon, home.pending) == (*HOME, False)


async def test_the_home_of_someone_transferred_out_is_decided_by_name(chat, db, clock):
    shared = await chat.location(RUDI, *HOME)
    await run_import(db, clock, [r for r in small_office() if r["nip"] != STAF])  # Rudi moved to another office
    approve, _ = home_buttons(shared)
    assert "🏠 Lokasi rumah Rudi Hartono disetujui." in texts(await chat.tap(DEWI, approve), DEWI)


async def test_a_superior_whose_name_ends_in_a_title_is_not_followed_by_a_second_full_stop(db, clock, tmp_path):
    """Most superiors' names end in a title ("Sri Putri Ramadhani, S.AP., M.AP."): the notice of their
    decision on a home read "… disetujui oleh Sri Putri Ramadhani, S.AP., M.AP.." to nearly everyone."""
    clock.current = MONDAY_0900_WIB
    rows = small_office()
    next(r for r in rows if r["nip"] == KASI)["name"] = "Dewi Lestari, S.Kom., M.M."
    await run_import(db, clock, rows)
    harness = ChatHarness(db, clock, tmp_path / "media")
    codes = await harness.codes()
    for sender, nip in ((RUDI, STAF), (DEWI, KASI)):
        await harness.text(sender, f"/start {codes[nip]}")
    approve, _ = home_buttons(await harness.location(RUDI, *HOME))
    approved = texts(await harness.tap(DEWI, approve), RUDI)
    assert "disetujui oleh Dewi Lestari, S.Kom., M.M." in approved and "M.M.." not in approved
    clock.advance(minutes=5)
    await harness.text(RUDI, "/rumah")
    _, refuse = home_buttons(await harness.location(RUDI, *NEW_HOME))
    refused = texts(await harness.tap(DEWI, refuse), RUDI)
    assert "ditolak oleh Dewi Lestari, S.Kom., M.M." in refused and "M.M.." not in refused


async def test_an_admin_approves_the_home_of_someone_without_a_superior(chat, db):
    await chat.text(SITI, "/rumah")
    shared = await chat.location(SITI, *HOME)
    [approve, _] = home_buttons(shared)
    assert texts(shared, DEWI) == ""  # Siti's superior is Budi, the admin
    assert "disetujui" in texts(await chat.tap(BUDI, approve), BUDI)
    own = await chat.location(BUDI, *HOME)  # Budi has no superior; the only admin is himself
    assert "belum ada atasan atau admin" in texts(own, BUDI) and home_buttons(own) == []


async def test_a_home_goes_up_the_chain_when_the_direct_superior_blocked_the_bot(chat, db, clock):
    async with db.uow() as uow:
        await uow.people.mark_unreachable(Channel.TELEGRAM, DEWI, clock.now())  # Dewi blocked the bot
        await uow.commit()
    shared = await chat.location(RUDI, *HOME)
    assert texts(shared, DEWI) == ""
    to_andi = texts(shared, ANDI)
    assert "Rudi Hartono" in to_andi and "Dewi Lestari" in to_andi  # says why it came to him
    [approve, _] = home_buttons(shared)
    assert "disetujui oleh Andi Wijaya" in texts(await chat.tap(ANDI, approve), RUDI)


async def set_office(db, clock):
    async with db.uow() as uow:
        assert await uow.presence.set_office("Seksi Timur", *OFFICE, 150, clock.now())
        await uow.commit()


async def test_a_wfo_check_in_inside_the_office_and_a_polite_no_outside(chat, db, clock):
    await chat.location(RUDI, *HOME)  # the onboarding question: this one is the home
    await set_office(db, clock)
    outside = texts(await chat.location(RUDI, *HOME))
    assert "sekitar 1,6 km dari kantor (batas 150 m)" in outside and "belum tercatat" in outside
    clock.advance(minutes=7)
    assert "Check-in tercatat pukul 10.07 WITA" in texts(await chat.location(RUDI, -1.5905, 103.6100, accuracy_m=20))
    clock.advance(minutes=30)
    assert "sudah tercatat pukul 10.07 WITA" in texts(await chat.location(RUDI, *OFFICE))
    errand = texts(await chat.location(RUDI, *HOME))  # out of the office after checking in
    assert "tetap tercatat pukul 10.07 WITA" in errand and "belum tercatat" not in errand
    await Routine(db.uow, clock=clock, default_language="id").presence(wita("16.01"))
    async with db.uow() as uow:
        summary = (await uow.presence.summaries_for([chat.ids[STAF]], DAY))[chat.ids[STAF]]
        flags = await uow.flags.for_day([chat.ids[STAF]], DAY)
    assert summary.mode == "wfo" and summary.checkin_at == wita("10.07") and flags == {}
    digest = texts(await chat.text(DEWI, "/rekap"))
    assert "🏢 check-in 10.07 WITA" in digest


async def test_no_checkin_is_flagged_after_the_deadline(chat, db, clock):
    await chat.location(RUDI, *HOME)
    await set_office(db, clock)
    routine = Routine(db.uow, clock=clock, default_language="id")
    await routine.presence(wita("15.59"))
    async with db.uow() as uow:
        assert await uow.presence.summaries_for([chat.ids[STAF]], DAY) == {}  # not before the deadline
    await routine.presence(wita("16.00"))
    async with db.uow() as uow:
        [flag] = (await uow.flags.for_day([chat.ids[STAF]], DAY))[chat.ids[STAF]]
    assert flag.kind.value == "no_checkin"
    digest = texts(await chat.text(DEWI, "/rekap"))
    assert "⚠️ tidak ada check-in di kantor" in digest
    assert "belum check-in" not in digest  # said once, by the flag


async def test_without_an_office_geofence_the_digest_says_nothing_of_check_ins(chat, db, clock):
    """No office location set (`apel org office`): nobody can check in, so nobody is shown as not having done so."""
    await chat.location(RUDI, *HOME)
    await Routine(db.uow, clock=clock, default_language="id").presence(wita("16.00"))
    async with db.uow() as uow:
        assert (await uow.presence.summaries_for([chat.ids[STAF]], DAY))[chat.ids[STAF]].mode == "wfo"
    digest = texts(await chat.text(DEWI, "/rekap"))
    assert "Rudi Hartono" in digest and "check-in" not in digest


async def live_day(chat, db, clock):
    """Rudi works from home; his live location runs from 07.25, leaves home 10.00–10.40, stops at 14.00."""
    await chat.location(RUDI, *HOME)
    await chat.tap(DEWI, home_buttons(await chat.text(RUDI, "/rumah") + await chat.location(RUDI, *HOME))[0])
    rudi = chat.ids[STAF]
    async with db.uow() as uow:
        await uow.day.set_mode(rudi, DAY, "wfh", "roster", None)
        await uow.commit()
    key = "c:77"
    script = [("07.25", HOME, dict(live_period_s=8 * 3600)), ("09.00", (-1.6003, 103.6), {}),
              ("10.00", NEW_HOME, {}), ("10.40", HOME, {}), ("14.00", HOME, dict(stopped=True))]
    for hhmm, (lat, lon), extra in script:
        clock.current = wita(hhmm)
        update = "live_period_s" not in extra
        out = await chat.location(RUDI, lat, lon, accuracy_m=15, live_key=key, is_update=update, **extra)
        assert bool(out) is not update  # only the first message is answered
    return rudi


async def test_a_wfh_day_with_an_exit_and_sharing_stopped_early(chat, db, clock):
    rudi = await live_day(chat, db, clock)
    routine = Routine(db.uow, clock=clock, default_language="id")
    await routine.presence(wita("16.05"))
    await routine.presence(wita("16.06"))  # idempotent
    async with db.uow() as uow:
        summary = (await uow.presence.summaries_for([rudi], DAY))[rudi]
        flags = (await uow.flags.for_day([rudi], DAY))[rudi]
    # 07.30–14.00 live minus 40 minutes away = 350 of 510 minutes.
    assert (summary.covered_minutes, summary.expected_minutes, summary.coverage_pct) == (350, 510, 68.6)
    assert summary.stopped_early and summary.gaps == [[wita("14.00").isoformat(), wita("16.00").isoformat()]]
    assert (summary.first_fix_at, summary.last_fix_at, summary.fixes) == (wita("07.25"), wita("14.00"), 5)
    kinds = sorted((f.kind.value, f.excused) for f in flags)
    assert kinds == [("away_from_home", False), ("low_coverage", False), ("sharing_stopped", False)]
    digest = texts(await chat.text(DEWI, "/rekap"))
    assert "📍 di rumah 69% · 07.25–14.00 · 1 jeda · berhenti 14.00 WITA" in digest
    assert "⚠️ keluar dari area rumah 10.00–10.40 WITA (40 menit)" in digest
    assert "⚠️ lokasi langsung hanya membuktikan 69% jam kerja di rumah (minimal 80%)" in digest
    async with db.uow() as uow:
        [kasi] = [d for d in await digests_for(uow, day=DAY, unit="Seksi Timur") if d.supervisor.nip == KASI]
    card = digests.card_data(kasi.lines, day=DAY, subtitle="", timezone="Asia/Makassar", t=translator("id", "id"))
    assert card.rows[0].flags == ("Lokasi dihentikan", "Keluar rumah", "Cakupan rendah")
    [person] = as_record(kasi, DAY)["people"]
    assert person["presence"]["coverage_pct"] == 68.6 and person["presence"]["stopped_early"] is True
    assert {f["kind"] for f in person["flags"]} == {"away_from_home", "low_coverage", "sharing_stopped"}


async def test_an_approved_permission_excuses_the_exit_inside_its_window(chat, db, clock):
    rudi = await live_day(chat, db, clock)
    async with db.uow() as uow:
        uow.session.add(LeaveRequest(person_id=rudi, kind="izin", day=DAY, starts_at=wita("09.50"),
                                     ends_at=wita("10.30"), reason="Ke apotek", status="approved",
                                     created_at=wita("09.45")))
        await uow.commit()
    await Routine(db.uow, clock=clock, default_language="id").presence(wita("16.05"))
    async with db.uow() as uow:
        flags = (await uow.flags.for_day([rudi], DAY))[rudi]
    away = [(f.detail["from_at"], f.excused) for f in flags if f.kind.value == "away_from_home"]
    assert away == [(wita("10.00").isoformat(), True), (wita("10.30").isoformat(), False)]
    digest = texts(await chat.text(DEWI, "/rekap"))
    assert "✔️ keluar dari area rumah 10.00–10.30 WITA (30 menit) (izin keluar 09.50–10.30 WITA)" in digest
    assert "⚠️ keluar dari area rumah 10.30–10.40 WITA (10 menit)" in digest
    # The permission itself is shown, in the words it is asked with: it is granted on WFO days too.
    assert "🚶 izin keluar sebentar 09.50–10.30 (disetujui)" in digest
