"""Importing org charts into SQLite and PostgreSQL through the use case."""

import pytest
from sqlalchemy import text as sql

from bot.domain.org_terms import Channel
from bot.messages import Outgoing, Reply, Urgency
from bot.services.errors import ServiceError
from bot.services.org_directory import list_org
from bot.services.org_import import import_org_chart
from tests.org_rows import HEAD, KASI, SEK, STAF, small_office


def as_sheet(rows):
    header = list(rows[0].keys())
    return header, [(i + 2, [r.get(c, "") for c in header]) for i, r in enumerate(rows)]


async def run_import(db, clock, rows, **kw):
    header, numbered = as_sheet(rows)
    return await import_org_chart(
        db.uow, header, numbered, clock=clock, default_timezone="Asia/Jakarta", actor="test", **kw
    )


async def people(db, **kw):
    return {p.nip: p for p in (await list_org(db.uow, unit=None, **kw)).people}


async def test_import_creates_units_and_people_with_supervisors(db, clock):
    report = await run_import(db, clock, small_office())
    assert report.ok and report.written
    assert (report.people_created, report.units_created) == (5, 4)
    stored = await people(db)
    assert stored[STAF].supervisor_nip == KASI
    assert stored[HEAD].supervisor_nip is None
    assert stored[STAF].unit == "Seksi Timur"
    async with db.uow() as uow:
        units = await uow.org.stored_units()
    assert units["Seksi Timur"].parent == "Bidang Timur"
    assert units["Seksi Timur"].timezone == "Asia/Makassar"


async def test_importing_the_same_file_twice_changes_nothing(db, clock):
    await run_import(db, clock, small_office())
    clock.advance(hours=1)
    again = await run_import(db, clock, small_office())
    assert again.ok
    assert not again.written
    assert (again.people_created, again.people_updated, again.people_unchanged) == (0, 0, 5)
    assert again.deactivated == [] and again.units_created == 0 and again.units_updated == 0


async def test_a_changed_file_updates_people_and_units(db, clock):
    await run_import(db, clock, small_office())
    rows = small_office()
    rows[4]["position"] = "Pranata Komputer Ahli Muda"
    rows[4]["supervisor_nip"] = SEK
    rows[4]["unit"] = "Sekretariat"
    rows[1]["timezone"] = "Asia/Jayapura"
    report = await run_import(db, clock, rows)
    assert report.people_updated == 1 and report.units_updated >= 1
    stored = await people(db)
    assert stored[STAF].position == "Pranata Komputer Ahli Muda"
    assert stored[STAF].supervisor_nip == SEK and stored[STAF].unit == "Sekretariat"


async def test_people_missing_from_a_new_file_are_deactivated_not_deleted_and_come_back(db, clock):
    await run_import(db, clock, small_office())
    report = await run_import(db, clock, small_office()[:4])
    assert report.deactivated == [(STAF, "Rudi Hartono")]
    assert STAF not in await people(db)
    assert (await people(db, include_inactive=True))[STAF].active is False
    back = await run_import(db, clock, small_office())
    assert back.reactivated == [STAF]
    assert (await people(db))[STAF].active is True


async def test_an_empty_optional_cell_keeps_what_is_stored(db, clock):
    rows = [r | {"language": ""} for r in small_office()]
    rows[4]["language"] = "en"
    await run_import(db, clock, rows)
    rows = small_office()  # no language given now
    report = await run_import(db, clock, rows)
    assert report.people_updated == 0
    assert (await people(db))[STAF].language == "en"


async def test_a_file_with_bad_rows_writes_nothing_by_default(db, clock):
    rows = small_office()
    rows[4]["phone"] = "not a phone"
    report = await run_import(db, clock, rows)
    assert not report.ok and not report.written
    assert [(e.row, e.code) for e in report.errors] == [(6, "cell.bad_phone")]
    assert await people(db) == {}


async def test_partial_import_keeps_the_good_rows_and_never_deactivates_rejected_people(db, clock):
    await run_import(db, clock, small_office())
    rows = small_office()
    rows[4]["phone"] = "not a phone"
    rows[1]["name"] = "Siti Aminah, S.E."
    report = await run_import(db, clock, rows, partial=True)
    assert report.written and report.errors
    assert report.deactivated == []
    stored = await people(db)
    assert stored[SEK].name == "Siti Aminah, S.E."
    assert stored[STAF].active


async def test_a_partial_import_keeps_a_head_whose_own_nip_was_mistyped_for_the_people_under_them(db, clock):
    await run_import(db, clock, small_office())
    rows = small_office()
    typo = "198504042010012099"
    rows[3]["nip"] = typo  # Dewi's own NIP mistyped; Rudi's row still names her real one
    report = await run_import(db, clock, rows, partial=True)
    assert [(e.row, e.code) for e in report.errors] == [(6, "row.unknown_supervisor")]
    # She was deactivated, and Rudi, whose row was rejected, stayed active under a deactivated head.
    assert report.deactivated == []
    stored = await people(db, include_inactive=True)
    assert stored[KASI].active and stored[STAF].active
    assert stored[STAF].supervisor_nip == KASI


async def test_a_sheet_without_required_columns_is_refused_whole(db, clock):
    with pytest.raises(ServiceError) as caught:
        await import_org_chart(
            db.uow, ["nama", "jabatan"], [(2, ["A", "B"])], clock=clock, default_timezone="Asia/Jakarta", actor="t"
        )
    assert caught.value.code == "sheet.missing_columns"
    assert "nip" in caught.value.params["columns"]


async def test_indonesian_headers_are_accepted(db, clock):
    rename = {"nip": "NIP", "name": "Nama", "position": "Jabatan", "unit": "Unit Kerja", "supervisor_nip": "NIP Atasan",
              "unit_parent": "Unit Induk", "timezone": "Zona Waktu", "phone": "No HP"}
    rows = [{rename[k]: v for k, v in r.items()} for r in small_office()]
    report = await run_import(db, clock, rows)
    assert report.ok and report.people_created == 5


async def test_every_import_is_audited(db, clock):
    await run_import(db, clock, small_office())
    from sqlalchemy import select

    from storage.tables import AuditEntry

    async with db.uow() as uow:
        entries = [(e.actor, e.action, e.detail) for e in (await uow.session.execute(select(AuditEntry))).scalars()]
    assert [(actor, action) for actor, action, _ in entries] == [("test", "org_import")]
    assert '"created": 5' in entries[0][2]


async def test_people_whose_superior_the_file_leaves_empty_are_named(db, clock):
    """A section head retires and the export leaves their staff's supervisor empty until a new one is
    named: those people are now reviewed by nobody, and the admin is told who they are."""
    await run_import(db, clock, small_office())
    rows = [r for r in small_office() if r["nip"] != KASI]
    rows[-1]["supervisor_nip"] = ""  # Rudi, whose section head left
    report = await run_import(db, clock, rows)
    assert report.ok and report.written
    assert report.deactivated == [(KASI, "Dewi Lestari")]
    assert report.unsupervised == [(STAF, "Rudi Hartono")]
    again = await run_import(db, clock, rows)  # said once, when it happens
    assert again.unsupervised == []


async def test_what_waits_in_the_outbox_for_someone_an_import_deactivates_is_not_sent(db, clock):
    await run_import(db, clock, small_office())
    ids = {nip: p.id for nip, p in (await people(db)).items()}
    async with db.uow() as uow:  # a slow digest wave: the section head's and a staff member's still queued
        uow.outbox.add([Outgoing(Channel.TELEGRAM, "5001", Reply("Rekap tim: Rudi belum melapor"), Urgency.BULK,
                                 ids[KASI], kind="digest", key="digest-kasi"),
                        Outgoing(Channel.TELEGRAM, "5002", Reply("Apel pagi"), Urgency.BULK, ids[STAF],
                                 kind="briefing", key="brief-staf")])
        await uow.commit()
    retired = [r for r in small_office() if r["nip"] != KASI]
    for row in retired:
        if row["supervisor_nip"] == KASI:
            row["supervisor_nip"] = HEAD
    await run_import(db, clock, retired)
    async with db.uow() as uow:
        rows = dict((key, (status, reason)) for key, status, reason in
                    (await uow.session.execute(sql("SELECT key, status, reason FROM outbox"))).all())
    assert rows == {"digest-kasi": ("expired", "deactivated by an org chart import"), "brief-staf": ("queued", None)}
