"""Names as button labels: namesakes and long titled names alike in their first 30 characters are told
apart, in /tugaskan's picker and /tim's buttons (SQLite and PostgreSQL for the chat)."""

from __future__ import annotations

from bot.domain.pick_labels import pick_labels
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness
from tests.org_rows import KASI, STAF, small_office
from tests.test_org_import import run_import

LONG_SI = "Drs. H. Ahmad Fauzi Rahman Hakim, M.Si."
LONG_PD = "Drs. H. Ahmad Fauzi Rahman Hakim, M.Pd."


def test_labels_that_fit_and_differ_are_the_names():
    assert pick_labels([("Rudi Hartono", "1" * 18), ("Dewi Lestari", "2" * 18)], 30) == ["Rudi Hartono", "Dewi Lestari"]


def test_long_names_alike_at_the_limit_keep_their_ends():
    labels = pick_labels([(LONG_SI, "1" * 18), (LONG_PD, "2" * 18), ("Budi", "3" * 18)], 30)
    assert labels == ["Drs. H. Ahmad Fauzi…kim, M.Si.", "Drs. H. Ahmad Fauzi…kim, M.Pd.", "Budi"]
    assert all(len(label) <= 30 for label in labels)


def test_namesakes_get_the_end_of_their_nip():
    labels = pick_labels([("Siti Aminah", "199001012015032001"), ("Siti Aminah", "199101012016042002"),
                          ("Siti Aminah Lubis", "199201012017052003")], 30)
    assert labels == ["Siti Aminah ·2001", "Siti Aminah ·2002", "Siti Aminah Lubis"]


def test_long_namesakes_are_clipped_to_fit_their_nip():
    name = "Prof. Dr. Ir. Muhammad Abdurrahman Saputra, M.Sc."
    labels = pick_labels([(name, "199001012015032001"), (name, "199101012016042002")], 24)
    assert labels == ["Prof. Dr. Ir. Muh… ·2001", "Prof. Dr. Ir. Muh… ·2002"]
    assert all(len(label) <= 24 for label in labels)


async def test_a_supervisor_tells_namesakes_apart_when_assigning_and_in_the_team(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    rows = small_office()
    namesake = {**next(r for r in rows if r["nip"] == STAF), "nip": "199106062016031006", "phone": ""}
    await run_import(db, clock, rows + [namesake])
    chat = ChatHarness(db, clock, tmp_path / "media")
    codes = await chat.codes()
    await chat.text("502", f"/start {codes[KASI]}")
    await chat.location("502", -1.6, 103.6)
    picker = await chat.text("502", "/tugaskan")
    labels = [b.label for o in picker for row in o.reply.buttons for b in row if b.action.startswith("asg:p:")]
    assert sorted(labels) == ["⬜ Rudi Hartono ·1005", "⬜ Rudi Hartono ·1006"], labels
    team = await chat.text("502", "/tim")
    labels = [b.label for o in team for row in o.reply.buttons for b in row if b.action.startswith("tim:")]
    assert sorted(label.split(". ", 1)[1] for label in labels) == ["Rudi Hartono ·1005", "Rudi Hartono ·1006"], labels
