"""The catalogs: Indonesian and English in step, every code the code uses present, dates Indonesian."""

import datetime as dt
import re
import string
from pathlib import Path

import pytest

from bot.texts import catalog, format_date, format_datetime, format_distance, format_month, text

ROOT = Path(__file__).resolve().parent.parent
# Every top-level section of the catalogs: a string in the code that starts with one is a text key.
PREFIXES = "|".join(sorted({key.split(".")[0] for key in catalog("id")}, key=len, reverse=True))
CODE = re.compile(rf"""["']((?:{PREFIXES})\.[a-z_]+)["']""")


def dynamic_keys() -> set[str]:
    """Keys the code builds from a value (t(f"mode.{mode.value}")): every value must have its text."""
    from bot.domain.evidence import EvidenceKind
    from bot.domain.workday import LeaveKind, Mode
    from bot.domain.roster import BY_RANK, CRITICAL_UNIT, NOT_ELIGIBLE, PIKET, ROTATION
    from bot.domain.work_calendar import KINDS
    from bot.services.menus import commands_for

    keys = {f"mode.{m.value}" for m in Mode} | {f"mode_short.{m.value}" for m in Mode}
    keys |= {f"leave.kind_{k.value}" for k in LeaveKind}
    keys |= {f"digest.{s}" for s in ("on_time", "late", "missing", "excused", "approved", "returned")}
    keys |= {f"digest.card_{s}" for s in ("on_time", "late", "missing", "excused")}
    keys |= {f"evidence.kind_{k.value}" for k in EvidenceKind}
    keys |= {f"report.locked_{s}" for s in ("submitted", "approved")}
    keys |= {f"{p}.report_{s}" for p in ("status", "team") for s in ("submitted", "approved", "returned")}
    keys |= {f"command.{c}" for c in commands_for("admin")}
    keys |= {f"export.task_{s}" for s in ("open", "in_progress", "done", "blocked")}
    keys |= {f"calendar.kind_{k}" for k in KINDS}
    keys |= {f"roster.reason_{r}" for r in (BY_RANK, NOT_ELIGIBLE, CRITICAL_UNIT, ROTATION, PIKET)}
    keys |= {f"roster.reason_{s}" for s in ("leave", "override", "roster")}  # a work day's source
    keys |= {f"export.status_{s}" for s in ("submitted", "approved", "returned")}
    keys |= {f"evidence.reused_{w}_file" for w in ("own", "other")}  # a PDF sent again
    keys |= {f"routine.step_{s}" for s in ("briefing", "pengingat", "rekap", "periksa")}  # /jalankan, run-step
    return keys


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_catalogs_have_the_same_keys_and_placeholders():
    ids, ens = catalog("id"), catalog("en")
    assert set(ids) == set(ens)
    for key in ids:
        assert placeholders(ids[key]) == placeholders(ens[key]), key


def test_every_code_used_in_the_code_is_in_the_catalog():
    used = set()
    for path in (ROOT / "bot").rglob("*.py"):
        used.update(CODE.findall(path.read_text(encoding="utf-8")))
    missing = sorted((used | dynamic_keys()) - set(catalog("id")))
    assert len(used) > 30
    assert missing == []


def test_text_fills_placeholders_and_falls_back_to_indonesian():
    assert text("id", "row.unknown_supervisor", nip="123") == "NIP atasan 123 tidak ada di berkas."
    assert text("en", "row.unknown_supervisor", nip="123") == "Supervisor NIP 123 is not in the file."
    assert text("fr", "row.unknown_supervisor", nip="123") == "NIP atasan 123 tidak ada di berkas."


def test_dates_are_written_the_indonesian_way():
    assert format_date(dt.date(2026, 11, 23), "id") == "Senin, 23 November 2026"
    assert format_date(dt.date(2026, 8, 17), "en") == "Monday, 17 August 2026"


def test_times_are_shown_in_the_units_zone_with_its_abbreviation():
    moment = dt.datetime(2026, 11, 23, 0, 30, tzinfo=dt.UTC)
    assert format_datetime(moment, "Asia/Jakarta", "id") == "Senin, 23 November 2026 07.30 WIB"
    assert format_datetime(moment, "Asia/Makassar", "id") == "Senin, 23 November 2026 08.30 WITA"
    assert format_datetime(moment, "Asia/Jayapura", "id") == "Senin, 23 November 2026 09.30 WIT"


def test_months_are_named_in_the_language():
    assert format_month(dt.date(2026, 12, 7), "id") == "Desember 2026"
    assert format_month(dt.date(2026, 1, 1), "en") == "January 2026"


def test_distances_are_metres_below_a_kilometre_and_kilometres_with_a_decimal_comma_above():
    assert format_distance(850.4, "id") == "850 m"
    assert format_distance(619924, "id") == "619,9 km" and format_distance(619924, "en") == "619.9 km"


def test_english_counts_take_the_singular_for_one_and_indonesian_is_unchanged():
    # "⚠️ 1 people have not reported" and "1 reports wait for approval" read badly to an English speaker.
    assert text("en", "routine.escalation", count=1, names="Rudi") == "⚠️ 1 person has not reported by the deadline:\nRudi"
    assert text("en", "routine.escalation", count=2, names="-").startswith("⚠️ 2 people have not reported")
    assert text("en", "routine.unreviewed", name="Dewi", waiting=1, missing=0) == (
        "⚠️ Dewi has not followed up on their team today: 1 report waits for approval, 0 people have not reported.")
    assert text("id", "routine.escalation", count=1, names="Rudi").startswith("⚠️ 1 orang belum melapor")


def test_every_plural_form_in_the_catalogs_names_a_placeholder_and_both_forms():
    forms = re.compile(r"\{(\w+):@([^}|]*)\|([^}]*)\}")
    for lang in ("id", "en"):
        for key, template in catalog(lang).items():
            for name, one, other in forms.findall(template):
                assert one and other and "{" + name + "}" in template, (lang, key)
            assert template.count(":@") == len(forms.findall(template)), (lang, key)


ONE = {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "deactivated": 0, "units_created": 1,
       "units_updated": 0, "count": 1, "files": 1, "gaps": 1, "fixes": 1,
       "pct": 90, "first": "07.30", "last": "16.00", "names": "Dewi", "pictures": 1, "reminders": 1,
       "escalations": 1, "digests": 1, "people": 2, "briefings": 2, "on_time": 1, "late": 0, "missing": 0,
       "excused": 0, "seconds": 3,
       "start": "Monday", "end": "Friday", "written": 1, "kept": 0, "conflicts": 0}


@pytest.mark.parametrize("key, singular", [
    ("cli.import_summary", "1 new person, 0 updated, 0 unchanged, 0 deactivated; 1 new unit,"),
    ("cli.import_dry_run_summary", "1 new person,"),
    ("cli.import_held_summary", "1 new unit,"),
    ("cli.import_partial_dry_run", "1 bad row would be skipped"),
    ("cli.invite_written", "1 telegram invite written"),
    ("cli.run_console_unlinked", "1 console chat account unlinked"),
    ("cli.sample_exists", "has 1 active person;"),
    ("admin.more_errors", "…and 1 more problem."),
    ("admin.invites_ready", "1 invite made."),
    ("admin.announced_without_chat", "1 other person will not receive it"),
    ("roster.conflicts_more", "…and 1 more conflict "),
    ("export.evidence", "1 evidence item: #7"),
    ("export.evidence_untasked", "1 evidence item without a task: #7"),
    ("person_data.exported", "(1 evidence file)"),
    ("demo.more_lines", "(+1 line)"),
    ("demo.tick_reminders", "1 reminder"),
    ("demo.tick_digests", "1 digest for superiors (1 picture)"),
    ("demo.reports_wave", "1 more report sent"),
    ("demo.summary", "1 reminder · 1 escalation · 1 digest (1 picture)"),
    ("presence_digest.wfh", "· 1 gap"),
    ("roster.generated", "made: 1 person-day written"),
    ("presence_digest.wfh_no_home", "· 1 fix"),
])
def test_english_counts_of_one_are_singular(key, singular):
    """'1 invites made', '1 new people': English needs the count's own word (README: the plural rule)."""
    assert key in catalog("en"), key
    said = text("en", key, channel="telegram", path="x.csv", expires="-", ids="#7", title="T", **ONE)
    assert re.search(re.escape(singular) + "(?![a-z])", said), said  # "1 gap", not the start of "1 gaps"
