"""Retention: the purge removes raw fixes, image originals, check coordinates, old update keys, the routine's
delivery keys of days gone by and stale states, copies of sent messages after MESSAGE_KEEP_DAYS and their attachments once
nothing queued needs them, keeps summaries and derivatives, counts in a dry run exactly what it removes,
and removes nothing more when run again; `apel purge` and the routine's nightly step."""

import asyncio
import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from bot.cli.app import app
from bot.day_records import NewEvidence
from bot.services.retention import PurgeCounts, daily_purge, purge, purge_due
from storage.day_tables import ConversationState, Evidence, LocationFix, SeenUpdate
from storage.media_files import LocalMediaFiles
from storage.media_store import FileMediaStore
from storage.outbox_tables import OutboxFile, OutboxMessage
from storage.presence_tables import PresenceCheck, PresenceSummary
from storage.routine_tables import Delivery
from storage.tables import AuditEntry, ChannelAccount, Person
from storage.whatsapp_tables import WhatsAppChat, WhatsAppHeld, WhatsAppSent
from storage.unit_of_work import Database
from tests.chat_harness import jpeg
from tests.org_rows import HEAD, SEK, STAF, small_office
from tests.test_org_import import run_import

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
OLD = NOW - dt.timedelta(days=100)
RECENT = NOW - dt.timedelta(days=10)
WEEK_AGO = NOW - dt.timedelta(days=7)
JUST_NOW = NOW - dt.timedelta(minutes=10)


async def seed(db, clock, media: Path) -> dict:
    """An office with old and recent data of every kind the purge looks at."""
    clock.current = OLD - dt.timedelta(days=1)
    await run_import(db, clock, small_office())
    store = FileMediaStore(media)
    async with db.uow() as uow:
        ids = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=True)}
        rudi = ids[STAF]
        saved = {name: await store.save(jpeg(color), filename="x.jpg", mime="image/jpeg")
                 for name, color in (("old", (1, 2, 3)), ("recent", (50, 60, 70)), ("shared", (90, 10, 10)))}
        evidence = {}
        for name, media_name, at in (("old", "old", OLD), ("recent", "recent", RECENT),
                                     ("shared_old", "shared", OLD), ("shared_new", "shared", RECENT)):
            m = saved[media_name]
            evidence[name] = await uow.day.add_evidence(NewEvidence(
                rudi, at.date(), None, "photo", m.sha256, m.path, m.thumb_path, "image/jpeg", "x.jpg", m.size, None,
                "di rumah", at, derivative_path=m.derivative_path))
        doc = media / "originals" / "dd" / "laporan.pdf"
        doc.parent.mkdir(parents=True)
        doc.write_bytes(b"%PDF-1.4 work")
        evidence["document"] = await uow.day.add_evidence(NewEvidence(
            rudi, OLD.date(), None, "document", "d" * 64, str(doc), None, "application/pdf", "laporan.pdf", 13,
            None, None, OLD))
        for at in (OLD, OLD + dt.timedelta(minutes=5), OLD + dt.timedelta(minutes=10), RECENT, RECENT):
            await uow.day.add_fix(rudi, at.date(), -1.6, 103.6, 10.0, at, None, None)
        for at in (OLD, RECENT):
            uow.session.add(PresenceCheck(person_id=rudi, day=at.date(), due_at=at, answered_at=at, lat=-1.6,
                                          lon=103.6, distance_m=12.0, outcome="ok"))
        uow.session.add(PresenceSummary(person_id=rudi, day=OLD.date(), mode="wfh", fixes=3, computed_at=OLD))
        for key, at in (("tg:1", NOW - dt.timedelta(days=5)), ("tg:2", NOW - dt.timedelta(days=4)), ("tg:3", NOW)):
            await uow.day.first_time(key, at)
        for key, day in (("old", OLD.date()), ("8-days", (NOW - dt.timedelta(days=8)).date()),
                         ("week", WEEK_AGO.date()), ("today", NOW.date())):  # the routine's claims
            await uow.routine.claim(f"reminder:{key}", rudi, "reminder", day, NOW)
        await uow.day.set_state(ids[SEK], "report", {"step": "summary"}, RECENT)
        await uow.day.set_state(ids[HEAD], "own_task", {}, RECENT)
        await uow.day.set_state(rudi, "leave", {}, OLD)  # stale
        await uow.session.execute(update(Person).where(Person.id == ids[SEK]).values(active=False))
        for actor, at in (("stranger:telegram:0123456789abcdef", OLD), ("stranger:telegram:0123456789abcdef", RECENT),
                          (f"person:{rudi}", OLD)):  # only the strangers' old refusal goes
            await uow.audit.record(at, actor, "refused", {"message": "text"})
        seed_messages(uow.session, rudi)
        await uow.commit()
    return {"evidence": evidence, "saved": saved, "doc": doc, "rudi": rudi}


def _message(key: str, status: str, created_at: dt.datetime, sha: str | None = None) -> OutboxMessage:
    attachment = f',"attachment":{{"filename":"x.png","is_photo":true,"path":null,"sha256":"{sha}"}}' if sha else ""
    return OutboxMessage(key=key, channel="telegram", external_id="42", kind="digest", status=status,
                         payload=f'{{"text":"Rudi Hartono: terlambat"{attachment}}}', created_at=created_at)


def seed_messages(session, rudi: int) -> None:
    """Sent messages old and new, their stored files, and the WhatsApp adapter's rows."""
    session.add_all([
        _message("old-sent", "sent", OLD, "b" * 64), _message("old-failed", "failed", OLD),
        _message("old-queued", "queued", OLD, "a" * 64), _message("recent-sent", "sent", WEEK_AGO),
        OutboxFile(sha256="a" * 64, content=b"still queued", created_at=OLD),
        OutboxFile(sha256="b" * 64, content=b"sent: NIP,kode", created_at=OLD),
        OutboxFile(sha256="c" * 64, content=b"being queued now", created_at=JUST_NOW),
        WhatsAppSent(wamid="wamid.old", external_id="6281", person_id=rudi, sent_at=OLD),
        WhatsAppSent(wamid="wamid.new", external_id="6281", person_id=rudi, sent_at=WEEK_AGO),
        WhatsAppHeld(external_id="6281", person_id=rudi, payload="{}", held_at=OLD),
        WhatsAppHeld(external_id="6281", person_id=rudi, payload="{}", held_at=WEEK_AGO),
        ChannelAccount(person_id=rudi, channel="whatsapp", external_id="6281", linked_at=OLD),
        WhatsAppChat(external_id="6281", wa_id="6281", last_inbound_at=OLD),  # Rudi's: stays
        WhatsAppChat(external_id="6289", wa_id="6289", last_inbound_at=OLD),  # a stranger, long ago
        WhatsAppChat(external_id="6287", wa_id="6287", last_inbound_at=RECENT),  # a stranger, lately
    ])


async def rows(db, model):
    async with db.uow() as uow:
        return [SimpleNamespace(**r.model_dump()) for r in (await uow.session.execute(select(model))).scalars()]


EXPECTED = PurgeCounts(location_fixes=3, original_files=2, original_bytes=0, check_coordinates=1, seen_updates=2,
                       delivery_keys=2, conversation_states=2, stranger_refusals=1, sent_messages=2, message_files=1, whatsapp_sent=1,
                       whatsapp_held=1, whatsapp_strangers=1)


async def test_a_dry_run_counts_what_the_purge_removes_and_a_second_run_removes_nothing(db, clock, tmp_path):
    seeded = await seed(db, clock, tmp_path / "media")
    files = LocalMediaFiles()
    old_bytes = Path(seeded["saved"]["old"].path).stat().st_size
    dry = await purge(db.uow, files, now=NOW, retention_days=90, dry_run=True, chunk=1)
    assert dry == PurgeCounts(**{**EXPECTED.__dict__, "original_bytes": old_bytes})
    assert len(await rows(db, LocationFix)) == 5 and Path(seeded["saved"]["old"].path).exists()  # nothing removed

    done = await purge(db.uow, files, now=NOW, retention_days=90, dry_run=False, chunk=1)
    assert done == dry
    assert sorted(f.at for f in await rows(db, LocationFix)) == [RECENT, RECENT]
    saved = seeded["saved"]
    assert not Path(saved["old"].path).exists()
    assert Path(saved["old"].thumb_path).exists()  # the derivative others see stays
    assert Path(saved["shared"].path).exists() and Path(saved["recent"].path).exists()  # still needed
    assert seeded["doc"].exists()  # documents are the work itself, not a raw image
    purged = {e.id: e.original_purged_at for e in await rows(db, Evidence)}
    ev = seeded["evidence"]
    assert purged[ev["old"]] == NOW and purged[ev["shared_old"]] == NOW
    assert purged[ev["recent"]] is None and purged[ev["shared_new"]] is None and purged[ev["document"]] is None
    assert len(await rows(db, Evidence)) == 5  # rows, hashes, thumbnails stay
    checks = sorted(await rows(db, PresenceCheck), key=lambda c: c.due_at)
    assert (checks[0].lat, checks[0].lon, checks[0].outcome, checks[0].distance_m) == (None, None, "ok", 12.0)
    assert checks[1].lat == -1.6
    assert [s.fixes for s in await rows(db, PresenceSummary)] == [3]
    assert [s.key for s in await rows(db, SeenUpdate)] == ["tg:3"]
    # Keys of days the routine reads again (yesterday, today) and a week's margin stay.
    assert sorted(d.key for d in await rows(db, Delivery)) == ["reminder:today", "reminder:week"]
    assert len(await rows(db, ConversationState)) == 1  # the active head's recent state
    refusals = sorted((a.actor.split(":")[0], a.at) for a in await rows(db, AuditEntry) if a.action == "refused")
    assert refusals == [("person", OLD), ("stranger", RECENT)]
    audit = [a for a in await rows(db, AuditEntry) if a.action == "retention_purge"]
    assert len(audit) == 1 and json.loads(audit[0].detail)["location_fixes"] == 3
    assert sorted(m.key for m in await rows(db, OutboxMessage)) == ["old-queued", "recent-sent"]
    assert sorted(f.sha256[0] for f in await rows(db, OutboxFile)) == ["a", "c"]  # queued's, and one just made
    assert [w.wamid for w in await rows(db, WhatsAppSent)] == ["wamid.new"]
    assert [h.held_at for h in await rows(db, WhatsAppHeld)] == [WEEK_AGO]
    assert sorted(c.external_id for c in await rows(db, WhatsAppChat)) == ["6281", "6287"]

    assert await purge(db.uow, files, now=NOW, retention_days=90, dry_run=False) == PurgeCounts()
    assert await purge(db.uow, files, now=NOW, retention_days=90, dry_run=True) == PurgeCounts()


async def test_sent_messages_never_outlive_a_shorter_retention(db, clock, tmp_path):
    await seed(db, clock, tmp_path / "media")
    counted = await purge(db.uow, LocalMediaFiles(), now=NOW, retention_days=5, dry_run=True)
    assert (counted.sent_messages, counted.whatsapp_sent, counted.whatsapp_held) == (3, 2, 2)


def test_the_purge_is_due_once_a_night():
    night = dt.datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    assert purge_due(night, None)
    assert not purge_due(night - dt.timedelta(minutes=1), night - dt.timedelta(hours=20))
    assert purge_due(night, night - dt.timedelta(hours=20))
    assert not purge_due(night + dt.timedelta(hours=3), night + dt.timedelta(minutes=1))


async def test_the_routine_step_purges_once_a_night(db, clock, tmp_path):
    await seed(db, clock, tmp_path / "media")
    files = LocalMediaFiles()
    assert (await daily_purge(db.uow, files, now=NOW, retention_days=90)).location_fixes == 3
    assert await daily_purge(db.uow, files, now=NOW + dt.timedelta(hours=1), retention_days=90) is None


def test_apel_purge_dry_run_then_purge(apel_env, tmp_path):
    from tests.conftest import FakeClock

    async def prepare():
        database = Database(apel_env["DATABASE_URL"], schema=apel_env["DATABASE_SCHEMA"] or None)
        try:
            await seed(database, FakeClock(), tmp_path / "media")
        finally:
            await database.dispose()

    asyncio.run(prepare())
    runner = CliRunner()
    env = {"FAKE_NOW": NOW.isoformat()}
    dry = runner.invoke(app, ["purge", "--dry-run", "--format", "json"], env=env)
    assert dry.exit_code == 0, dry.stderr
    counted = {r["kind"]: r["count"] for r in json.loads(dry.stdout)}
    assert counted["location_fixes"] == 3 and counted["original_files"] == 2 and counted["original_bytes"] > 0
    assert "Dry run" in dry.stderr
    done = runner.invoke(app, ["purge", "--format", "csv"], env=env)
    assert done.exit_code == 0, done.stderr
    assert "location_fixes,3" in done.stdout
    again = runner.invoke(app, ["purge", "--format", "json"], env=env)
    assert all(r["count"] == 0 for r in json.loads(again.stdout))


@pytest.mark.parametrize("days", ["0", "abc"])
def test_a_bad_retention_setting_is_refused(monkeypatch, days):
    from pydantic import ValidationError

    from bot.settings import Settings

    monkeypatch.setenv("RETENTION_DAYS", days)
    with pytest.raises(ValidationError):
        Settings()


async def test_the_runtime_gives_the_routine_its_housekeeping(db_target, db, clock, tmp_path, monkeypatch):
    from bot.runtime import build_routine
    from bot.settings import Settings

    await seed(db, clock, tmp_path / "media")
    url, schema = db_target
    settings = Settings(database_url=url, database_schema=schema, digest_pictures=False, retention_days=90)
    clock.current = NOW
    routine = build_routine(settings, db, clock)
    assert len(routine.housekeeping) == 3  # leave expiry, pending derivatives, the purge
    await routine.tick()
    assert len(await rows(db, LocationFix)) == 2  # the nightly purge ran within the tick


@pytest.mark.parametrize("filename, mime", [("f.jpg", "image/jpeg"), ("IMG_0001.HEIC", "image/heic")])
async def test_a_turned_photo_or_a_heic_keeps_its_original_until_the_housekeeping_made_its_derivative(
        db, clock, tmp_path, filename, mime):
    # A HEIC used to have no derivative at all, so its original (EXIF GPS included) was kept for ever.
    from bot.services.derivatives import make_pending
    from tests.evidence_images import camera_heic, camera_jpeg

    await run_import(db, clock, small_office())
    store = FileMediaStore(tmp_path / "media")
    content = (camera_heic if mime == "image/heic" else camera_jpeg)(size=(800, 600), orientation=6, gps=(-6.2, 106.8))
    saved = await store.save(content, filename=filename, mime=mime, kind="image_file")
    assert saved.derivative_path is None  # pending: not made on the intake path
    async with db.uow() as uow:
        rudi = (await uow.org.stored_people())[STAF].id
        await uow.day.add_evidence(NewEvidence(rudi, OLD.date(), None, "image_file", saved.sha256, saved.path,
                                               saved.thumb_path, mime, filename, saved.size, None, None, OLD))
        await uow.commit()
    await purge(db.uow, LocalMediaFiles(), now=NOW, retention_days=90, dry_run=False)
    assert Path(saved.path).exists()  # no derivative yet: the original is kept
    assert await make_pending(db.uow, store) == 1 and await make_pending(db.uow, store) == 0
    async with db.uow() as uow:
        [row] = await uow.evidence.pending_derivatives(10) or [None]
    assert row is None
    await purge(db.uow, LocalMediaFiles(), now=NOW, retention_days=90, dry_run=False)
    assert not Path(saved.path).exists()
