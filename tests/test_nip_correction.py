"""A NIP typo corrected by the HR office: `apel person nip OLD NEW` before the next import keeps the person
(chat links, history, home) under the right NIP; an import alone would make a new person of them."""

import json

from typer.testing import CliRunner

from bot.cli.app import app
from bot.services.nip_correction import correct_nip
from tests.chat_harness import texts
from tests.org_rows import HEAD, STAF, small_office, write_csv
from tests.test_conversation_roles import RUDI, chat  # noqa: F401  (the fixture)
from tests.test_org_import import run_import

FIXED = "199005052015031006"  # Rudi's NIP as the decree has it
runner = CliRunner()


def apel(*args):
    return runner.invoke(app, list(args))


def corrected_office():
    rows = small_office()
    rows[4]["nip"] = FIXED
    return rows


async def test_a_corrected_nip_keeps_the_person_their_chat_and_their_history(chat, db, clock):
    await chat.text(RUDI, "/lapor")
    await chat.text(RUDI, "Selesai.")
    await chat.tap(RUDI, "r:send")
    name = await correct_nip(db.uow, STAF, FIXED, now=clock.now(), actor="test")
    assert name == "Rudi Hartono"
    report = await run_import(db, clock, corrected_office())
    assert (report.people_created, report.deactivated) == (0, [])
    status = texts(await chat.text(RUDI, "/status"))  # the same chat, still linked, today's report still his
    assert "Status Senin, 23 November 2026" in status and "belum dikirim" not in status


async def test_an_import_that_looks_like_a_nip_correction_says_so(db, clock):
    await run_import(db, clock, small_office())
    report = await run_import(db, clock, corrected_office(), dry_run=True)
    assert report.nip_changes == [("Rudi Hartono", STAF, FIXED)]


def test_apel_person_nip_corrects_and_refuses_what_cannot_be_right(apel_env, tmp_path):
    apel("org", "import", str(write_csv(tmp_path / "org.csv", small_office())))
    dry = apel("org", "import", str(write_csv(tmp_path / "fixed.csv", corrected_office())), "--dry-run")
    assert f"Rudi Hartono: {STAF} → {FIXED}" in dry.stderr and "apel person nip" in dry.stderr
    for old, new, problem in ((STAF, "1990050520150310", "A NIP has 18 digits"),
                              (STAF, HEAD, "already belongs to Budi Santoso"),
                              ("199901012020011001", FIXED, "no person with NIP 199901012020011001")):
        refused = apel("person", "nip", old, new)
        assert refused.exit_code == 1 and problem in refused.stderr, refused.stderr
    done = apel("person", "nip", STAF, FIXED)
    assert done.exit_code == 0, done.stderr
    assert f"Rudi Hartono: NIP {STAF} → {FIXED}" in done.stderr
    after = apel("org", "import", str(tmp_path / "fixed.csv"))
    assert "0 new people" in after.stderr and "0 deactivated" in after.stderr
    audit = json.loads(apel("audit", "--action", "person_nip", "--format", "json").stdout)
    assert len(audit) == 1
