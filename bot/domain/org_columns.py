"""Which spreadsheet header means which org-chart field.

Simpeg exports and hand-made sheets name columns differently, in English or Indonesian; headers are
folded with `slug` (lower case; any other character than a letter or digit is `_`, so `NIP Atasan`
and `nip.atasan` meet) and looked up here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.org_terms import slug

REQUIRED = ("nip", "name", "position", "unit", "supervisor_nip")
OPTIONAL = (
    "rank",
    "unit_parent",
    "unit_kind",
    "timezone",
    "role",
    "phone",
    "language",
    "home_lat",
    "home_lon",
    "home_radius_m",
    "wfh_eligible",
)

ALIASES: dict[str, tuple[str, ...]] = {
    "nip": ("nip", "nip_baru", "nomor_induk_pegawai"),
    "name": ("name", "nama", "nama_lengkap", "nama_pegawai", "full_name"),
    "position": ("position", "jabatan", "nama_jabatan", "title"),
    "unit": ("unit", "unit_kerja", "unit_organisasi", "satuan_kerja", "unor", "nama_unor"),
    "supervisor_nip": (
        "supervisor_nip",
        "supervisor",
        "nip_atasan",
        "atasan_nip",
        "nip_atasan_langsung",
        "atasan_langsung_nip",
    ),
    "rank": ("rank", "jenis_jabatan", "tingkat_jabatan", "kelompok_jabatan"),
    "unit_parent": ("unit_parent", "parent_unit", "unit_induk", "induk_unit", "unit_atasan", "induk_unor"),
    "unit_kind": ("unit_kind", "jenis_unit", "sifat_layanan", "kategori_unit", "jenis_layanan"),
    "timezone": ("timezone", "time_zone", "tz", "zona_waktu"),
    "role": ("role", "peran", "hak_akses"),
    "phone": ("phone", "telepon", "no_hp", "nomor_hp", "hp", "whatsapp", "no_wa", "nomor_wa", "ponsel"),
    "language": ("language", "bahasa", "lang"),
    "home_lat": ("home_lat", "lintang_rumah", "lat_rumah", "latitude_rumah", "rumah_lat"),
    "home_lon": ("home_lon", "bujur_rumah", "lon_rumah", "longitude_rumah", "rumah_lon", "home_lng"),
    "home_radius_m": ("home_radius_m", "radius_rumah_m", "radius_rumah", "home_radius"),
    "wfh_eligible": ("wfh_eligible", "boleh_wfh", "dapat_wfh", "wfh"),
}

_BY_SLUG = {alias: field for field, aliases in ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class HeaderMap:
    """Field name -> column index in the sheet, and the headers nobody asked for."""

    columns: dict[str, int]
    missing: tuple[str, ...]
    unknown: tuple[str, ...]
    duplicated: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return not self.missing and not self.duplicated


def map_header(header: list[str]) -> HeaderMap:
    columns: dict[str, int] = {}
    unknown: list[str] = []
    duplicated: list[str] = []
    for index, cell in enumerate(header):
        field = _BY_SLUG.get(slug(cell or ""))
        if field is None:
            if (cell or "").strip():
                unknown.append(cell.strip())
            continue
        if field in columns:
            duplicated.append(field)
            continue
        columns[field] = index
    missing = tuple(f for f in REQUIRED if f not in columns)
    return HeaderMap(columns, missing, tuple(unknown), tuple(duplicated))


def looks_like_header(cells: list[str]) -> bool:
    """A first row with at least two known column names is a header; a row of data is not."""
    return sum(1 for c in cells if slug(c or "") in _BY_SLUG) >= 2
