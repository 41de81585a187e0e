"""A file that would deactivate many people (one unit's export, a file cut short) is held until the admin
confirms: in chat with a button, on the command line with --deactivate-many. Nothing changes before."""

from __future__ import annotations

import json

import pytest

from bot.domain.org_sync import deactivates_many
from tests.bad_input_files import org_csv
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, actions, texts
from tests.org_rows import HEAD, KASI, flat_office_nip, small_office, write_csv
from tests.test_cli import apel
from tests.test_org_import import run_import

BUDI, RUDI = "601", "605"
EXTRA = 10  # staff of Seksi Timur beyond the small office's five people


def office() -> list[dict[str, str]]:
    rows = [{**r, "role": "admin" if r["nip"] == HEAD else "staff"} for r in small_office()]
    rows += [{"nip": flat_office_nip(i), "name": f"Pegawai Uji {i}", "position": "Pelaksana", "unit": "Seksi Timur",
              "supervisor_nip": KASI, "unit_parent": "", "timezone": "", "phone": "", "role": "staff"}
             for i in range(1, EXTRA + 1)]
    return rows


@pytest.mark.parametrize(("gone", "active", "held"), [(4, 15, False), (5, 100, False), (5, 20, True), (10, 15, True),
                                                      (21, 100, True), (20, 100, False)])
def test_many_is_more_than_a_fifth_and_at_least_five(gone, active, held):
    assert deactivates_many(gone, active) is held


@pytest.fixture
async def chat(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, office())
    harness = ChatHarness(db, clock, tmp_path / "media")
    codes = await harness.codes()
    for sender, nip in ((BUDI, HEAD), (RUDI, small_office()[4]["nip"])):
        await harness.text(sender, f"/start {codes[nip]}")
    return harness


async def active_people(db) -> int:
    async with db.uow() as uow:
        return len(await uow.org.list_people(None, include_inactive=False))


async def test_a_cut_off_file_in_chat_is_held_until_the_admin_confirms(chat, db):
    cut = org_csv(office()[:5])  # the ten extra staff are missing: a file cut short
    held = await chat.document(BUDI, cut, "pegawai.csv", "text/csv")
    told = texts(held, BUDI)
    assert "Belum disimpan: berkas ini akan menonaktifkan 10 dari 15 pegawai aktif" in told
    assert "Tidak ada yang disimpan. Bila berkas ini diimpor: 5 baris;" in told and "• " + flat_office_nip(1) in told
    assert actions(held) == ["orgimp"]
    assert await active_people(db) == 15
    assert "tidak berlaku" in texts(await chat.tap(RUDI, "orgimp"))  # staff: refused
    assert await active_people(db) == 15
    done = texts(await chat.tap(BUDI, "orgimp"))
    assert "Impor selesai: 5 baris;" in done and "10 dinonaktifkan" in done
    assert await active_people(db) == 5
    assert "Tidak ada bagan organisasi yang menunggu" in texts(await chat.tap(BUDI, "orgimp"))  # confirmed once


async def test_a_held_file_confirmed_after_the_org_chart_changed_deactivates_nobody_it_did_not_list(chat, db, clock):
    # Held on Monday, listing the ten it would deactivate; on Tuesday two people joined (a new file from
    # the command line); on Wednesday the admin taps the old button. It deactivated the newcomers too,
    # twelve people where the list showed ten.
    cut = org_csv(office()[:5])
    held = await chat.document(BUDI, cut, "pegawai.csv", "text/csv")
    assert "akan menonaktifkan 10 dari 15 pegawai aktif" in texts(held, BUDI)
    clock.advance(days=1)
    joined = [{**office()[5], "nip": flat_office_nip(EXTRA + i), "name": f"Pegawai Baru {i}"} for i in (1, 2)]
    assert (await run_import(db, clock, office() + joined)).ok
    clock.advance(days=1)
    again = texts(await chat.tap(BUDI, "orgimp"))
    assert await active_people(db) == 17  # nothing imported
    assert "Bagan organisasi sudah berubah" in again and "akan menonaktifkan 12 dari 17 pegawai aktif" in again
    assert "• " + flat_office_nip(EXTRA + 1) in again
    done = texts(await chat.tap(BUDI, "orgimp"))  # the new list, confirmed
    assert "12 dinonaktifkan" in done
    assert await active_people(db) == 5


async def test_a_file_with_a_few_leavers_is_imported_at_once(chat, db):
    out = await chat.document(BUDI, org_csv(office()[:-4]), "pegawai.csv", "text/csv")
    assert "Impor selesai: 11 baris;" in texts(out) and "4 dinonaktifkan" in texts(out) and actions(out) == []
    assert await active_people(db) == 11


def test_the_command_line_holds_it_unless_told_deactivate_many(apel_env, tmp_path):
    assert apel("org", "import", str(write_csv(tmp_path / "all.csv", office()))).exit_code == 0
    cut = str(write_csv(tmp_path / "cut.csv", office()[:5]))
    tried = apel("org", "import", cut, "--dry-run")
    assert tried.exit_code == 0 and "would deactivate 10 of 15 active people" in tried.stderr
    held = apel("org", "import", cut)
    assert held.exit_code == 1
    assert "Nothing was saved. Importing this file would read 5 rows" in held.stderr
    assert "would deactivate 10 of 15 active people" in held.stderr and "--deactivate-many" in held.stderr
    assert len(json.loads(apel("org", "show", "--format", "json").stdout)) == 15
    done = apel("org", "import", cut, "--deactivate-many")
    assert done.exit_code == 0, done.stderr
    assert len(json.loads(apel("org", "show", "--format", "json").stdout)) == 5
