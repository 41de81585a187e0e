"""A larger office than the sample, for supervisor tests at a Pemda's real scale: a head of office over
about 300 people, five divisions of five sections each, and one section head with 52 direct staff.

Deterministic: the same rows every call. Names carry the titles real org charts carry (`Dr.`, `S.Kom.,
M.T.`), so lines and buttons are as long as a section head will see them."""

from __future__ import annotations

import datetime as dt
import itertools

from bot.samples.synthetic import format_nip

OFFICE = "Dinas Komunikasi dan Informatika Kabupaten"
BIG_SECTION = "Seksi Pengembangan Aplikasi"
BIG_SECTION_STAFF = 52
BIG_DIVISION = "Bidang Aplikasi Informatika"
DIVISIONS = ("Sekretariat Dinas", BIG_DIVISION, "Bidang Infrastruktur TIK", "Bidang Statistik Sektoral",
             "Bidang Persandian dan Keamanan Informasi")

_FIRST = ("Muhammad", "Siti", "Ahmad", "Nur", "Dewi", "Rizky", "Putri", "Agus", "Sri", "Hendra", "Rina",
          "Fajar", "Indah", "Bambang", "Yuliani", "Andi", "Ratna", "Eko", "Wulan", "Teguh", "Fitri", "Dimas")
_SECOND = ("Ramadhan", "Permatasari", "Hidayat", "Lestari", "Saputra", "Rahmawati", "Gunawan", "Wijayanti",
           "Setiawan", "Kusumawardani", "Siregar", "Nasution", "Harahap", "Simanjuntak", "Pratama", "Anggraini")
_TITLES = ("S.Kom.", "S.T., M.T.", "S.E., M.Ak.", "A.Md.Kom.", "S.Kom., M.Kom.", "S.Sos., M.Si.", "")


class _Names:
    def __init__(self) -> None:
        self.n = itertools.count()

    def next(self, *, doctor: bool = False) -> str:
        i = next(self.n)
        name = f"{_FIRST[i % len(_FIRST)]} {_FIRST[(i * 7 + 3) % len(_FIRST)]} {_SECOND[(i * 5) % len(_SECOND)]}"
        title = _TITLES[i % len(_TITLES)]
        name = f"Dr. {name}" if doctor else name
        return f"{name}, {title}" if title else name


class _Nips:
    def __init__(self) -> None:
        self.n = itertools.count(1)

    def next(self) -> str:
        i = next(self.n)
        birth = dt.date(1970 + i % 28, 1 + i % 12, 1 + i % 28)
        return format_nip(birth, birth.year + 25, 1 + (i * 5) % 12, "male" if i % 2 else "female", 1 + i % 999)


def big_office_rows() -> list[dict[str, str]]:
    """Rows for `import_org_chart`: the head of office first, then each division, its sections and staff."""
    names, nips = _Names(), _Nips()
    rows: list[dict[str, str]] = []

    def add(name: str, position: str, unit: str, parent: str, boss: str, rank: str = "pelaksana") -> str:
        nip = nips.next()
        rows.append({"nip": nip, "name": name, "position": position, "rank": rank, "unit": unit,
                     "unit_parent": parent, "timezone": "Asia/Jakarta" if not parent else "",
                     "supervisor_nip": boss, "role": "staff", "language": ""})
        return nip

    head = add(names.next(doctor=True), "Kepala Dinas", OFFICE, "", "", "jpt_pratama")
    for d, division in enumerate(DIVISIONS):
        kabid = add(names.next(), f"Kepala {division}", division, OFFICE, head, "administrator")
        sections = [BIG_SECTION if division == BIG_DIVISION and s == 0 else f"Seksi {s + 1} {division}"
                    for s in range(5)]
        for section in sections:
            kasi = add(names.next(), f"Kepala {section}", section, division, kabid, "pengawas")
            staff = BIG_SECTION_STAFF if section == BIG_SECTION else 8 + (d + len(section)) % 5
            for _ in range(staff):
                add(names.next(), "Pranata Komputer Ahli Pertama", section, division, kasi)
    return rows


def wide_office_rows(staff: int) -> list[dict[str, str]]:
    """A school or Puskesmas: one head with `staff` people directly under them."""
    names, nips = _Names(), _Nips()
    head = nips.next()
    rows = [{"nip": head, "name": names.next(), "position": "Kepala Sekolah", "rank": "pengawas",
             "unit": "SMP Negeri 1", "unit_parent": "", "timezone": "Asia/Jakarta", "supervisor_nip": "",
             "role": "staff", "language": ""}]
    rows += [{"nip": nips.next(), "name": names.next(), "position": "Guru", "rank": "pelaksana", "unit": "SMP Negeri 1",
              "unit_parent": "", "timezone": "", "supervisor_nip": head, "role": "staff", "language": ""}
             for _ in range(staff)]
    return rows


def nip_of(rows: list[dict[str, str]], position: str) -> str:
    return next(r["nip"] for r in rows if r["position"] == position)


def staff_of(rows: list[dict[str, str]], boss_nip: str) -> list[str]:
    return [r["nip"] for r in rows if r["supervisor_nip"] == boss_nip]
