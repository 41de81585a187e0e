"""Generated org charts: a small realistic Diskominfo for demos, and big ones for benchmarks.

Real org charts are personal data (a NIP spells out its holder's birth date and gender), so the sample
that ships with Apel, the fixtures and the benchmarks all use invented people. Everything here is
deterministic: the same call always gives the same rows, so a test may rely on them.

    python -m bot.samples.synthetic sample bot/samples/sample_office.csv
    python -m bot.samples.synthetic big 100000 /tmp/big_office.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import random
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.domain.nip import parse_nip

COLUMNS = (
    "nip",
    "name",
    "position",
    "rank",
    "unit",
    "unit_parent",
    "unit_kind",
    "timezone",
    "supervisor_nip",
    "role",
    "phone",
    "language",
    "home_lat",
    "home_lon",
    "home_radius_m",
    "wfh_eligible",
)

Gender = Literal["male", "female"]

SAMPLE_SEED = 20240817
MAX_SYNTHETIC_PEOPLE = 1_000_000

# --------------------------------------------------------------------------------------------- NIP

BORN_FIRST, BORN_LAST = 1965, 2000
LAST_APPOINTMENT_YEAR = 2024
_GENDER_DIGIT = {"male": "1", "female": "2"}


def format_nip(birth: dt.date, appointed_year: int, appointed_month: int, gender: Gender, sequence: int) -> str:
    """Lay out the 18 digits; the ranges are checked here so a bad caller fails loudly, not in an import."""
    if not BORN_FIRST <= birth.year <= BORN_LAST:
        raise ValueError(f"birth year {birth.year} outside {BORN_FIRST}..{BORN_LAST}")
    if not birth.year <= appointed_year <= LAST_APPOINTMENT_YEAR or not 1 <= appointed_month <= 12:
        raise ValueError(f"bad appointment {appointed_year}-{appointed_month:02d}")
    if not 1 <= sequence <= 999:
        raise ValueError(f"sequence {sequence} outside 1..999")
    return (
        f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        f"{appointed_year:04d}{appointed_month:02d}{_GENDER_DIGIT[gender]}{sequence:03d}"
    )


def generate_nip(
    rng: random.Random,
    gender: Gender,
    *,
    born: tuple[int, int] = (BORN_FIRST, BORN_LAST),
    taken: set[str] | None = None,
) -> str:
    """A random valid NIP drawn from `rng`; with `taken`, one not in it (and then added to it).

    Appointment (TMT CPNS) comes 22 to 32 years after birth, as for graduates entering the civil service.
    """
    first, last = max(born[0], BORN_FIRST), min(born[1], BORN_LAST)
    while True:
        start = dt.date(first, 1, 1).toordinal()
        birth = dt.date.fromordinal(rng.randint(start, dt.date(last, 12, 31).toordinal()))
        year = min(birth.year + rng.randint(22, 32), LAST_APPOINTMENT_YEAR)
        # Real sequence numbers are small: few people share a birth date and appointment month.
        sequence = rng.randint(1, 9) if rng.random() < 0.8 else rng.randint(10, 999)
        nip = format_nip(birth, year, rng.randint(1, 12), gender, sequence)
        if taken is None or nip not in taken:
            break
    parse_nip(nip)  # the domain's own rule is the final word on validity
    if taken is not None:
        taken.add(nip)
    return nip


# ------------------------------------------------------------------------------------------- names

_MALE_FIRST = (
    "Ahmad", "Muhammad", "Budi", "Agus", "Rizki", "Dedi", "Hendra", "Fajar", "Eko", "Yusuf",
    "Arif", "Bambang", "Joko", "Rudi", "Teguh", "Dimas", "Irfan", "Hasan", "Zulkifli", "Rahmat",
    "Firdaus", "Taufik", "Wahyu", "Bayu", "Iwan", "Hadi", "Reza", "Gilang", "Yudi", "Syahrial",
)
_FEMALE_FIRST = (
    "Siti", "Dewi", "Sri", "Rina", "Ayu", "Fitri", "Putri", "Ratna", "Indah", "Yuliana",
    "Nurul", "Intan", "Mega", "Dian", "Lina", "Sari", "Ratih", "Maya", "Evi", "Nia",
    "Rini", "Wulan", "Desi", "Novi", "Lestiana", "Melati", "Anisa", "Yanti", "Tuti", "Eka",
)
_MALE_SECOND = (
    "Saputra", "Hidayat", "Kurniawan", "Setiawan", "Pratama", "Nugroho", "Wibowo", "Santoso",
    "Firmansyah", "Ramadhan", "Hakim", "Syahputra", "Gunawan", "Prasetyo", "Susanto", "Hermawan",
)
_FEMALE_SECOND = (
    "Lestari", "Wulandari", "Rahmawati", "Safitri", "Puspitasari", "Anggraini", "Permatasari",
    "Maharani", "Kusumawati", "Handayani", "Novitasari", "Oktaviani", "Ramadhani", "Fitriani",
)
# Clan names (Batak, Minang-Jambi, Malay) go with either gender.
_FAMILY = ("Siregar", "Nasution", "Harahap", "Lubis", "Simanjuntak", "Sinaga", "Tanjung", "Daulay", "Pohan")

# The UPTD sits in Makassar; its people mostly have Bugis-Makassar names.
_MALE_FIRST_SULAWESI = ("Andi", "Arsyad", "Baso", "Syamsuddin", "Ilham", "Haerul", "Muhammad", "Ridwan")
_FEMALE_FIRST_SULAWESI = ("Nurhayati", "Hasniah", "Rosmawati", "Sitti", "Nurjannah", "Hasnawati", "Marlina")
_SECOND_SULAWESI = ("Hamzah", "Nurdin", "Amiruddin", "Syarifuddin", "Basri", "Rahman", "Latief", "Mappiare")


def _random_name(rng: random.Random, gender: Gender, *, sulawesi: bool) -> str:
    if sulawesi:
        first = rng.choice(_MALE_FIRST_SULAWESI if gender == "male" else _FEMALE_FIRST_SULAWESI)
        return f"{first} {rng.choice(_SECOND_SULAWESI)}"
    first = rng.choice(_MALE_FIRST if gender == "male" else _FEMALE_FIRST)
    if rng.random() < 0.3:
        return f"{first} {rng.choice(_FAMILY)}"
    seconds = _MALE_SECOND if gender == "male" else _FEMALE_SECOND
    # Some people carry two given names (Siti Nurul Fitriani); most carry one plus a second name.
    if rng.random() < 0.25:
        middle = rng.choice(_MALE_FIRST if gender == "male" else _FEMALE_FIRST)
        if middle != first:
            return f"{first} {middle} {rng.choice(seconds)}"
    return f"{first} {rng.choice(seconds)}"


# Degrees by field of work; "dip" is the three-year diploma (Ahli Madya).
_BACHELOR = {
    "it": ("S.Kom.", "S.T."),
    "finance": ("S.E.", "S.Ak."),
    "admin": ("S.Sos.", "S.AP.", "S.H."),
    "comm": ("S.I.Kom.", "S.Sos."),
    "stat": ("S.Si.", "S.Stat."),
    "sandi": ("S.Tr.Kom.", "S.Kom."),
    "radio": ("S.T.",),
}
_DIPLOMA = {"it": "A.Md.Kom.", "radio": "A.Md.T.", "finance": "A.Md.Ak."}
_MASTER = {
    "it": ("M.Kom.", "M.T.", "M.Si."),
    "finance": ("M.Ak.", "M.M."),
    "admin": ("M.AP.", "M.Si.", "M.M."),
    "comm": ("M.I.Kom.", "M.Si."),
    "stat": ("M.Si.", "M.Stat."),
    "sandi": ("M.Kom.", "M.T."),
    "radio": ("M.T.",),
}

# Education: "s3" doctor (Dr. before the name), "ir" engineer title (Ir.), "s2" master, "s1" bachelor,
# "d3" diploma, "sma" high school (no title).
Education = Literal["s3", "ir", "s2", "s1", "d3", "sma"]


def _titled(rng: random.Random, name: str, field: str, education: Education) -> str:
    if education == "sma":
        return name
    if education == "d3":
        return f"{name}, {_DIPLOMA.get(field, 'A.Md.')}"
    bachelor = rng.choice(_BACHELOR[field])
    if education == "s1":
        return f"{name}, {bachelor}"
    master = rng.choice(_MASTER[field])
    if education == "ir":
        return f"Ir. {name}, {master}"
    if education == "s3":
        return f"Dr. {name}, {bachelor}, {master}"
    return f"{name}, {bachelor}, {master}"


# ----------------------------------------------------------------------------- phones and homes

# Telkomsel 0811-0813/0821/0822/0852/0853, Indosat 0857/0858, XL 0878.
_OPERATORS = ("11", "12", "13", "21", "22", "52", "53", "57", "58", "78")

_HOME_CENTRE = {
    "Asia/Jakarta": (-1.61, 103.61),  # Jambi
    "Asia/Makassar": (-5.14, 119.42),  # Makassar
    "Asia/Jayapura": (-2.54, 140.70),  # Jayapura
}


def _random_phone(rng: random.Random, taken: set[str]) -> str:
    while True:
        phone = f"+628{rng.choice(_OPERATORS)}{rng.randrange(10**8):08d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def _random_home(rng: random.Random, timezone: str) -> tuple[str, str]:
    lat, lon = _HOME_CENTRE[timezone]
    if timezone == "Asia/Makassar":
        # Makassar faces the sea on its west: nobody lives west of the coast road.
        lon += rng.uniform(-0.005, 0.05)
    else:
        lon += rng.uniform(-0.035, 0.035)
    return f"{lat + rng.uniform(-0.035, 0.035):.6f}", f"{lon:.6f}"


# ---------------------------------------------------------------------------------- sample office

ROOT_UNIT = "Dinas Komunikasi dan Informatika"
WIB, WITA = "Asia/Jakarta", "Asia/Makassar"

# Flags on a person: "admin" (role), "en" (language), "no_home" (home not yet known), "no_wfh" (must be
# on site), "r200" (home radius 200 m instead of 150).


@dataclass(frozen=True)
class _Job:
    position: str
    rank: str
    field: str
    education: Education
    flags: frozenset[str] = frozenset()


def _job(position: str, rank: str, field: str, education: Education, *flags: str) -> _Job:
    return _Job(position, rank, field, education, frozenset(flags))


@dataclass(frozen=True)
class _Unit:
    name: str
    parent: str
    kind: str
    timezone: str
    head: _Job
    staff: tuple[_Job, ...] = ()


_F, _P = "fungsional", "pelaksana"

# Listed parents first; each head reports to the head of the parent unit, staff to their own unit's head.
_SAMPLE_UNITS = (
    _Unit(ROOT_UNIT, "", "essential", WIB,
          _job("Kepala Dinas Komunikasi dan Informatika", "jpt_pratama", "it", "s3", "r200")),
    _Unit("Sekretariat", ROOT_UNIT, "essential", WIB,
          _job("Sekretaris Dinas", "administrator", "admin", "s2")),
    _Unit("Subbagian Umum dan Kepegawaian", "Sekretariat", "essential", WIB,
          _job("Kepala Subbagian Umum dan Kepegawaian", "pengawas", "admin", "s2", "admin"),
          (
              _job("Analis Kepegawaian Ahli Pertama", _F, "admin", "s1", "admin"),
              _job("Pengadministrasi Umum", _P, "admin", "sma"),
              _job("Pranata Hubungan Masyarakat Ahli Pertama", _F, "comm", "s1"),
              _job("Arsiparis Terampil", _F, "admin", "d3", "no_home"),
          )),
    _Unit("Subbagian Keuangan", "Sekretariat", "essential", WIB,
          _job("Kepala Subbagian Keuangan", "pengawas", "finance", "s2"),
          (
              # The treasurer signs and keeps the paper vouchers: on site every day.
              _job("Bendahara Pengeluaran", _P, "finance", "s1", "no_wfh"),
              _job("Pengelola Keuangan", _P, "finance", "s1"),
              _job("Penyusun Laporan Keuangan", _P, "finance", "d3", "r200"),
              _job("Pengadministrasi Keuangan", _P, "finance", "sma"),
          )),
    _Unit("Bidang Aplikasi Informatika", ROOT_UNIT, "essential", WIB,
          _job("Kepala Bidang Aplikasi Informatika", "administrator", "it", "s2")),
    _Unit("Seksi Layanan Aplikasi", "Bidang Aplikasi Informatika", "essential", WIB,
          _job("Kepala Seksi Layanan Aplikasi", "pengawas", "it", "s2", "en"),
          (
              _job("Pranata Komputer Ahli Muda", _F, "it", "s1"),
              _job("Pranata Komputer Ahli Pertama", _F, "it", "s1", "en"),
              _job("Pranata Komputer Ahli Pertama", _F, "it", "s1", "no_home"),
              _job("Pengelola Sistem Informasi", _P, "it", "d3"),
          )),
    _Unit("Seksi Infrastruktur Teknologi Informasi dan Komunikasi", "Bidang Aplikasi Informatika", "essential", WIB,
          _job("Kepala Seksi Infrastruktur Teknologi Informasi dan Komunikasi", "pengawas", "it", "s1"),
          (
              _job("Pranata Komputer Ahli Pertama", _F, "it", "s1"),
              _job("Pranata Komputer Terampil", _F, "it", "d3"),
              _job("Pengelola Jaringan Komunikasi Data", _P, "it", "d3"),
              # The data centre needs hands on the racks.
              _job("Teknisi Pusat Data", _P, "it", "sma", "no_wfh"),
          )),
    _Unit("Bidang Persandian dan Statistik", ROOT_UNIT, "non_service", WIB,
          _job("Kepala Bidang Persandian dan Statistik", "administrator", "stat", "s2")),
    _Unit("Seksi Persandian", "Bidang Persandian dan Statistik", "non_service", WIB,
          _job("Kepala Seksi Persandian", "pengawas", "sandi", "s2"),
          (
              _job("Sandiman Ahli Muda", _F, "sandi", "s1"),
              _job("Sandiman Ahli Pertama", _F, "sandi", "s1"),
              _job("Sandiman Terampil", _F, "sandi", "d3"),
              _job("Pengelola Keamanan Informasi", _P, "it", "s1"),
          )),
    _Unit("Seksi Statistik Sektoral", "Bidang Persandian dan Statistik", "non_service", WIB,
          _job("Kepala Seksi Statistik Sektoral", "pengawas", "stat", "s1"),
          (
              _job("Statistisi Ahli Muda", _F, "stat", "s2"),
              _job("Statistisi Ahli Pertama", _F, "stat", "s1"),
              _job("Pranata Komputer Terampil", _F, "it", "d3"),
              _job("Pengolah Data", _P, "stat", "sma", "no_home"),
          )),
    _Unit("UPTD Balai Monitoring Spektrum Wilayah Timur", ROOT_UNIT, "critical", WITA,
          _job("Kepala UPTD Balai Monitoring Spektrum Wilayah Timur", "administrator", "radio", "ir", "r200")),
    _Unit("Seksi Operasional UPTD", "UPTD Balai Monitoring Spektrum Wilayah Timur", "critical", WITA,
          _job("Kepala Seksi Operasional UPTD", "pengawas", "radio", "s1"),
          (
              _job("Pengendali Frekuensi Radio Ahli Pertama", _F, "radio", "s1"),
              _job("Pengendali Frekuensi Radio Terampil", _F, "radio", "d3"),
              _job("Teknisi Perangkat Monitoring", _P, "radio", "d3", "r200"),
              _job("Pengadministrasi Umum", _P, "admin", "sma"),
          )),
)

# Birth years by supervision level: heads of a Dinas are in their fifties, new staff in their twenties.
_BORN_BY_LEVEL = {1: (1966, 1971), 2: (1968, 1978), 3: (1972, 1988), 4: (1975, 2000)}


def sample_office_rows() -> list[dict[str, str]]:
    """The sample Diskominfo: 40 people in 4 supervision levels, supervisors listed before their people."""
    rng = random.Random(SAMPLE_SEED)
    nips: set[str] = set()
    names: set[str] = set()
    phones: set[str] = set()
    by_name = {u.name: u for u in _SAMPLE_UNITS}
    head_nip: dict[str, str] = {}
    rows: list[dict[str, str]] = []

    def level_of(unit: _Unit) -> int:
        return 1 if not unit.parent else 1 + level_of(by_name[unit.parent])

    def person(job: _Job, unit: _Unit, level: int, supervisor: str) -> dict[str, str]:
        gender: Gender = "female" if rng.random() < 0.45 else "male"
        while True:
            name = _titled(rng, _random_name(rng, gender, sulawesi=unit.timezone == WITA), job.field, job.education)
            if name not in names:
                names.add(name)
                break
        home_lat = home_lon = radius = ""
        if "no_home" not in job.flags:
            home_lat, home_lon = _random_home(rng, unit.timezone)
            radius = "200" if "r200" in job.flags else "150"
        return {
            "nip": generate_nip(rng, gender, born=_BORN_BY_LEVEL[level], taken=nips),
            "name": name,
            "position": job.position,
            "rank": job.rank,
            "unit": unit.name,
            "unit_parent": unit.parent,
            "unit_kind": unit.kind,
            "timezone": unit.timezone,
            "supervisor_nip": supervisor,
            "role": "admin" if "admin" in job.flags else "staff",
            "phone": _random_phone(rng, phones),
            "language": "en" if "en" in job.flags else "id",
            "home_lat": home_lat,
            "home_lon": home_lon,
            "home_radius_m": radius,
            # Heads of the Dinas and its divisions chair the daily apel: never from home.
            "wfh_eligible": "false" if level <= 2 or "no_wfh" in job.flags else "true",
        }

    for unit in _SAMPLE_UNITS:
        level = level_of(unit)
        head = person(unit.head, unit, level, head_nip[unit.parent] if unit.parent else "")
        head_nip[unit.name] = head["nip"]
        rows.append(head)
        rows.extend(person(job, unit, level + 1, head["nip"]) for job in unit.staff)
    return rows


# ------------------------------------------------------------------------------- synthetic office

_BIG_ROOT_UNIT = "Kantor Pusat"
_BIG_ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
_BIG_KINDS = ("essential", "critical", "non_service")
_BIG_HEAD_POSITIONS = ("Kepala Kantor", "Kepala Divisi", "Kepala Bagian", "Kepala Subbagian", "Kepala Seksi")
_BIG_STAFF_JOBS = (
    ("Pranata Komputer Ahli Pertama", "fungsional"),
    ("Analis Kepegawaian", "fungsional"),
    ("Pengelola Keuangan", "pelaksana"),
    ("Pranata Hubungan Masyarakat", "fungsional"),
    ("Statistisi Ahli Muda", "fungsional"),
    ("Sandiman", "fungsional"),
    ("Pengadministrasi Umum", "pelaksana"),
)

# Birth dates 1965-01-01..2000-12-31 are 13,149 days; 7,919 is prime and shares no factor with
# 13,149 (= 27 x 487), so `block * 7919 mod 13149` visits every day once: one date per block of 999.
_BIRTH_START = dt.date(BORN_FIRST, 1, 1).toordinal()
_BIRTH_DAYS = dt.date(BORN_LAST, 12, 31).toordinal() - _BIRTH_START + 1
_BIRTH_STRIDE = 7919
assert _BIRTH_DAYS * 999 > MAX_SYNTHETIC_PEOPLE


def _mix(index: int, seed: int) -> int:
    """A cheap integer hash, so attributes look scattered yet can be recomputed from the index alone."""
    x = (index * 0x9E3779B1 + seed * 0x85EBCA6B) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    return x ^ (x >> 12)


@functools.lru_cache(maxsize=256)
def _big_birth(block: int, seed: int) -> tuple[str, int]:
    birth = dt.date.fromordinal(_BIRTH_START + (block * _BIRTH_STRIDE + seed * 104_729) % _BIRTH_DAYS)
    return f"{birth.year:04d}{birth.month:02d}{birth.day:02d}", birth.year


def _big_person(index: int, seed: int) -> tuple[str, str]:
    """NIP and name, a pure function of the index so a subordinate can recompute its supervisor's NIP.

    Unique per index: the block of 999 fixes the birth date, the place in the block the sequence.
    """
    h = _mix(index, seed)
    block, place = divmod(index, 999)
    birth, born_year = _big_birth(block, seed)
    year = min(born_year + 22 + (h >> 3) % 11, LAST_APPOINTMENT_YEAR)
    month = (h >> 7) % 12 + 1
    g = h >> 11
    if h & 1:
        name = f"{_FEMALE_FIRST[g % len(_FEMALE_FIRST)]} {_FEMALE_SECOND[(g >> 5) % len(_FEMALE_SECOND)]}"
        return f"{birth}{year}{month:02d}2{place + 1:03d}", name
    name = f"{_MALE_FIRST[g % len(_MALE_FIRST)]} {_MALE_SECOND[(g >> 5) % len(_MALE_SECOND)]}"
    return f"{birth}{year}{month:02d}1{place + 1:03d}", name


def _supervisor_levels(n: int, branching: int) -> list[int]:
    """Sizes of the supervisor levels (1, b, b², …): stop at the total nearest n/10."""
    sizes = [1]
    target = n / 10
    while True:
        grown = sum(sizes) + sizes[-1] * branching
        if grown >= n or abs(grown - target) >= abs(sum(sizes) - target):
            return sizes
        sizes.append(sizes[-1] * branching)


def synthetic_office_rows(n: int, *, seed: int = 7, branching: int = 10) -> Iterator[dict[str, str]]:
    """Exactly `n` generated people, every supervisor before their subordinates; for benchmarks.

    Supervisors form full levels of `branching` under each supervisor, about n/10 of them in all; the
    rest are staff spread evenly under the last level. Each supervisor heads a unit named by its path
    ("Unit 3.4.7"); the top-level divisions take turns over the three Indonesian time zones.
    """
    if not 1 <= n <= MAX_SYNTHETIC_PEOPLE:
        raise ValueError(f"n must be 1..{MAX_SYNTHETIC_PEOPLE}, got {n}")
    if branching < 1:
        raise ValueError(f"branching must be at least 1, got {branching}")
    return _synthetic_rows(n, seed, branching)


def _synthetic_rows(n: int, seed: int, branching: int) -> Iterator[dict[str, str]]:
    sizes = _supervisor_levels(n, branching)
    offsets = [sum(sizes[:level]) for level in range(len(sizes))]
    rng = random.Random(seed)

    def path(level: int, pos: int) -> list[int]:
        digits = []
        for _ in range(level):
            pos, digit = divmod(pos, branching)
            digits.append(digit + 1)
        return digits[::-1]

    def unit_name(digits: list[int]) -> str:
        return "Unit " + ".".join(map(str, digits)) if digits else _BIG_ROOT_UNIT

    def unit_facts(digits: list[int]) -> tuple[str, str]:
        if not digits:
            return "essential", "Asia/Jakarta"
        division = digits[0] - 1
        # Shifting the kind by one every third division pairs each zone with each kind over nine divisions.
        return _BIG_KINDS[(division + division // 3) % 3], _BIG_ZONES[division % 3]

    def row(index: int, name_unit: str, parent_unit: str, kind: str, zone: str, boss: str,
            position: str, rank: str, wfh: bool) -> dict[str, str]:
        centre_lat, centre_lon = _HOME_CENTRE[zone]
        nip, name = _big_person(index, seed)
        return {
            "nip": nip,
            "name": name,
            "position": position,
            "rank": rank,
            "unit": name_unit,
            "unit_parent": parent_unit,
            "unit_kind": kind,
            "timezone": zone,
            "supervisor_nip": boss,
            "role": "admin" if index == 0 else "staff",
            # The index in the last eight digits keeps phones unique without a set of a million.
            "phone": f"+628{_OPERATORS[index % len(_OPERATORS)]}{index:08d}",
            "language": "id",
            "home_lat": f"{centre_lat + rng.uniform(-0.05, 0.05):.6f}",
            "home_lon": f"{centre_lon + rng.uniform(-0.05, 0.05):.6f}",
            "home_radius_m": "150",
            "wfh_eligible": "true" if wfh else "false",
        }

    for level, size in enumerate(sizes):
        position = _BIG_HEAD_POSITIONS[min(level, len(_BIG_HEAD_POSITIONS) - 1)]
        rank = ("jpt_pratama", "administrator")[level] if level < 2 else "pengawas"
        for pos in range(size):
            digits = path(level, pos)
            kind, zone = unit_facts(digits)
            boss = _big_person(offsets[level - 1] + pos // branching, seed)[0] if level else ""
            parent = unit_name(digits[:-1]) if level else ""
            yield row(offsets[level] + pos, unit_name(digits), parent, kind, zone, boss,
                      position, rank, level >= 2)

    last = len(sizes) - 1
    staff_total = n - sum(sizes)
    per_boss, extra = divmod(staff_total, sizes[last])
    index = sum(sizes)
    for pos in range(sizes[last]):
        digits = path(last, pos)
        kind, zone = unit_facts(digits)
        name_unit = unit_name(digits)
        parent = unit_name(digits[:-1]) if last else ""
        boss = _big_person(offsets[last] + pos, seed)[0]
        for _ in range(per_boss + (pos < extra)):
            job, job_rank = _BIG_STAFF_JOBS[index % len(_BIG_STAFF_JOBS)]
            yield row(index, name_unit, parent, kind, zone, boss, job, job_rank, True)
            index += 1


# ------------------------------------------------------------------------------------ CSV and CLI


def write_csv(rows: Iterable[Mapping[str, str]], path: str | Path) -> int:
    """Write rows under a header of COLUMNS (UTF-8); return how many rows were written."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for r in rows:
            writer.writerow(r)
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.samples.synthetic", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sample = commands.add_parser("sample", help="the ~40-person sample Diskominfo")
    sample.add_argument("out", type=Path)
    big = commands.add_parser("big", help="a large generated office, for benchmarks")
    big.add_argument("n", type=int)
    big.add_argument("out", type=Path)
    big.add_argument("--seed", type=int, default=7)
    big.add_argument("--branching", type=int, default=10)
    args = parser.parse_args(argv)
    if args.command == "sample":
        count = write_csv(sample_office_rows(), args.out)
    else:
        try:
            rows = synthetic_office_rows(args.n, seed=args.seed, branching=args.branching)
        except ValueError as exc:
            parser.error(str(exc))
        count = write_csv(rows, args.out)
    print(f"{count} rows -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
