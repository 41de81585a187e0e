"""Small org charts for tests: a valid five-person office and helpers to break it."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.domain.orgchart import RawRow

HEAD = "197001012000031001"
SEK = "197502022001122002"
KABID = "198003032005011003"
KASI = "198504042010012004"
STAF = "199005052015031005"

COLUMNS = ["nip", "name", "position", "unit", "supervisor_nip", "unit_parent", "timezone", "phone"]


def small_office() -> list[dict[str, str]]:
    return [
        {"nip": HEAD, "name": "Budi Santoso", "position": "Kepala Dinas", "unit": "Dinas", "supervisor_nip": "",
         "unit_parent": "", "timezone": "Asia/Jakarta", "phone": "+6281200000001"},
        {"nip": SEK, "name": "Siti Aminah", "position": "Sekretaris", "unit": "Sekretariat", "supervisor_nip": HEAD,
         "unit_parent": "Dinas", "timezone": "", "phone": ""},
        {"nip": KABID, "name": "Andi Wijaya", "position": "Kepala Bidang", "unit": "Bidang Timur", "supervisor_nip": HEAD,
         "unit_parent": "Dinas", "timezone": "Asia/Makassar", "phone": ""},
        {"nip": KASI, "name": "Dewi Lestari", "position": "Kepala Seksi", "unit": "Seksi Timur", "supervisor_nip": KABID,
         "unit_parent": "", "timezone": "", "phone": ""},
        {"nip": STAF, "name": "Rudi Hartono", "position": "Pranata Komputer", "unit": "Seksi Timur", "supervisor_nip": KASI,
         "unit_parent": "", "timezone": "", "phone": "081200000005"},
    ]


def raw_rows(rows: list[dict[str, str]]) -> list[RawRow]:
    return [RawRow(number=i + 2, cells=dict(r)) for i, r in enumerate(rows)]


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None, delimiter: str = ",") -> Path:
    columns = columns or list(rows[0].keys())
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
