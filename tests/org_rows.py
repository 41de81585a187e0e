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


def flat_office_nip(i: int) -> str:
    """Valid, distinct NIPs: birth dates spread over 1980, appointment 2010-01, gender 1, sequence i."""
    birth = 19800101 + (i % 12) * 100 + (i % 28)  # YYYY MM DD with MM 01-12, DD 01-28
    return f"{birth}2010011{i:03d}"


def write_flat_office(path: Path, head_nip: str, people: int, office: str) -> list[str]:
    """An admin head over `people - 1` staff in three divisions, as an org-chart CSV; the NIPs, head first."""
    nips = [head_nip] + [flat_office_nip(i) for i in range(1, people)]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["nip", "name", "position", "unit", "supervisor_nip", "timezone", "role"])
        writer.writerow([head_nip, f"Kepala {office}", "Kepala Dinas", office, "", "WIB", "admin"])
        for i, nip in enumerate(nips[1:], start=1):
            writer.writerow([nip, f"Pegawai Uji {i}", "Pelaksana", f"Bidang Uji {i % 3 + 1}", head_nip, "", "staff"])
    return nips
