"""The import records each person's unit and active flag over time (table `org_membership`): a move, a
deactivation and a return each start a new membership; a re-import that changes neither records nothing."""

from __future__ import annotations

from tests.conftest import FakeClock
from tests.org_rows import KASI, SEK, STAF, small_office
from tests.test_month_export import utc
from tests.test_org_import import run_import


def rudi_in(unit: str) -> list[dict[str, str]]:
    rows = small_office()
    for row in rows:
        if row["nip"] == STAF:
            row["unit"], row["supervisor_nip"] = unit, (SEK if unit == "Sekretariat" else KASI)
    return rows


async def test_the_import_records_moves_and_absences_only(db):
    await run_import(db, FakeClock(utc(1, 0)), small_office())
    renamed = [dict(r, name="Dewi Lestari, S.Kom.") if r["nip"] == KASI else r for r in small_office()]
    assert (await run_import(db, FakeClock(utc(2, 0)), renamed)).written  # a new name only: nothing recorded
    await run_import(db, FakeClock(utc(10, 1)), [r for r in small_office() if r["nip"] != STAF])
    await run_import(db, FakeClock(utc(20, 9)), rudi_in("Sekretariat"))  # back, in another unit
    async with db.uow() as uow:
        units = {u.id: u.name for u in (await uow.org.stored_units()).values()}
        ids = {p.nip: p.id for p in await uow.org.list_people(None, include_inactive=True)}
        found = await uow.org.memberships(utc(1, 0), utc(30, 0))
    assert [(units[m.unit_id], m.active, m.valid_from, m.valid_until) for m in found[ids[STAF]]] == [
        ("Seksi Timur", True, utc(1, 0), utc(10, 1)),
        ("Seksi Timur", False, utc(10, 1), utc(20, 9)),
        ("Sekretariat", True, utc(20, 9), None),
    ]
    assert [(m.active, m.valid_from, m.valid_until) for m in found[ids[KASI]]] == [(True, utc(1, 0), None)]
