"""The closed vocabularies of the org chart: ranks, unit kinds, roles, languages, time zones."""

from __future__ import annotations

from enum import StrEnum


class Rank(StrEnum):
    """Jenis jabatan: the kind of position, which the rotation rules look at."""

    JPT_PRATAMA = "jpt_pratama"
    ADMINISTRATOR = "administrator"
    PENGAWAS = "pengawas"
    PELAKSANA = "pelaksana"
    FUNGSIONAL = "fungsional"


class UnitKind(StrEnum):
    CRITICAL = "critical"
    ESSENTIAL = "essential"
    NON_SERVICE = "non_service"


class Role(StrEnum):
    STAFF = "staff"
    ADMIN = "admin"


class Language(StrEnum):
    ID = "id"
    EN = "en"


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    CONSOLE = "console"  # `apel chat`: a terminal stand-in for a phone, linked without an invite


INVITE_CHANNELS = (Channel.TELEGRAM, Channel.WHATSAPP)
CHANNEL_NAMES = {Channel.TELEGRAM: "Telegram", Channel.WHATSAPP: "WhatsApp"}  # as people write them


# Indonesia has exactly three zones; anything else in an org chart is a typo, not a choice.
TIMEZONES = {
    "asia/jakarta": "Asia/Jakarta",
    "wib": "Asia/Jakarta",
    "asia/pontianak": "Asia/Pontianak",
    "asia/makassar": "Asia/Makassar",
    "wita": "Asia/Makassar",
    "asia/jayapura": "Asia/Jayapura",
    "wit": "Asia/Jayapura",
}

RANK_ALIASES = {
    "jpt_pratama": Rank.JPT_PRATAMA,
    "jpt": Rank.JPT_PRATAMA,
    "jabatan_pimpinan_tinggi_pratama": Rank.JPT_PRATAMA,
    "pimpinan_tinggi_pratama": Rank.JPT_PRATAMA,
    "eselon_ii": Rank.JPT_PRATAMA,
    "administrator": Rank.ADMINISTRATOR,
    "jabatan_administrator": Rank.ADMINISTRATOR,
    "eselon_iii": Rank.ADMINISTRATOR,
    "pengawas": Rank.PENGAWAS,
    "jabatan_pengawas": Rank.PENGAWAS,
    "eselon_iv": Rank.PENGAWAS,
    "pelaksana": Rank.PELAKSANA,
    "jabatan_pelaksana": Rank.PELAKSANA,
    "fungsional": Rank.FUNGSIONAL,
    "jabatan_fungsional": Rank.FUNGSIONAL,
}

UNIT_KIND_ALIASES = {
    "critical": UnitKind.CRITICAL,
    "kritis": UnitKind.CRITICAL,
    "kritikal": UnitKind.CRITICAL,
    "essential": UnitKind.ESSENTIAL,
    "esensial": UnitKind.ESSENTIAL,
    "essensial": UnitKind.ESSENTIAL,
    "non_service": UnitKind.NON_SERVICE,
    "nonservice": UnitKind.NON_SERVICE,
    "non_esensial": UnitKind.NON_SERVICE,
    "non_essential": UnitKind.NON_SERVICE,
    "non_layanan": UnitKind.NON_SERVICE,
    "non_pelayanan": UnitKind.NON_SERVICE,
}

ROLE_ALIASES = {
    "staff": Role.STAFF,
    "staf": Role.STAFF,
    "pegawai": Role.STAFF,
    "admin": Role.ADMIN,
    "administrator_sistem": Role.ADMIN,
}

LANGUAGE_ALIASES = {
    "id": Language.ID,
    "in": Language.ID,
    "ind": Language.ID,
    "indonesia": Language.ID,
    "bahasa_indonesia": Language.ID,
    "en": Language.EN,
    "eng": Language.EN,
    "english": Language.EN,
    "inggris": Language.EN,
}

TRUE_WORDS = {"1", "true", "yes", "y", "ya", "iya", "benar", "boleh"}
FALSE_WORDS = {"0", "false", "no", "n", "tidak", "tdk", "t", "salah", "tidak_boleh"}


def slug(text: str) -> str:
    """Fold a cell or header to lower case with single underscores, for matching against aliases."""
    out = []
    for ch in text.strip().lower():
        out.append(ch if ch.isalnum() else "_")
    return "_".join(part for part in "".join(out).split("_") if part)
