"""The sample office `make run` loads: realistic, valid, four levels, more than one time zone."""

import csv
from collections import Counter

from bot.cli.org import sample_path
from bot.domain.nip import parse_nip
from bot.domain.orgchart import RawRow, validate_chart
from bot.samples.synthetic import sample_office_rows, synthetic_office_rows


def sample_rows():
    with open(sample_path(), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def levels(rows):
    boss = {r["nip"]: r["supervisor_nip"] for r in rows}

    def depth(nip):
        return 1 if not boss[nip] else 1 + depth(boss[nip])

    return Counter(depth(r["nip"]) for r in rows)


def test_the_sample_file_is_what_the_generator_makes():
    assert sample_rows() == sample_office_rows()


def test_the_sample_office_is_valid_and_shaped_like_a_dinas():
    rows = sample_rows()
    chart = validate_chart([RawRow(i + 2, r) for i, r in enumerate(rows)], default_timezone="Asia/Jakarta")
    assert chart.errors == []
    assert 35 <= len(chart.people) <= 45
    assert sorted(levels(rows)) == [1, 2, 3, 4]
    assert {u.timezone for u in chart.units.values()} >= {"Asia/Jakarta", "Asia/Makassar"}
    assert sum(1 for r in rows if r["role"] == "admin") >= 1


def test_the_synthetic_office_has_unique_valid_nips_and_bosses_first():
    seen = set()
    for row in synthetic_office_rows(3000):
        assert parse_nip(row["nip"]) == row["nip"] and row["nip"] not in seen
        assert not row["supervisor_nip"] or row["supervisor_nip"] in seen
        seen.add(row["nip"])
    assert len(seen) == 3000
