"""What may be sent as evidence of work, and the limits it is checked against (before and after the
download). Pure rules: the image work itself (Pillow) lives in `storage/`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # Telegram's Bot API limit for getFile


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    IMAGE_FILE = "image_file"  # a screenshot or photo sent as a file (keeps EXIF)
    DOCUMENT = "document"


@dataclass(frozen=True)
class EvidencePolicy:
    """The limits and tolerances of the evidence checks (settings EVIDENCE_MAX_MB, MEDIA_MAX_PIXELS,
    DUPLICATE_DISTANCE, EXIF_MAX_AGE_HOURS, EXIF_MAX_DISTANCE_KM; see README "Evidence checks")."""

    max_bytes: int = MAX_DOWNLOAD_BYTES
    max_pixels: int = 40_000_000
    duplicate_distance: int = 4  # bits of 64 (perceptual hash); at most BANDS - 1, see domain/duplicates.py
    exif_max_age_hours: float = 24.0
    exif_max_distance_km: float = 2.0  # beyond the home radius
    default_home_radius_m: int = 200  # when a person's home has no radius of its own

    @property
    def max_mb(self) -> int:
        return max(1, self.max_bytes // (1024 * 1024))


class MediaRefused(Exception):
    """A file that is not accepted as evidence: `code` is a catalog key, `params` fill it in."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


IMAGE_MIMES = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
DOCUMENT_MIMES = {
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
EXTENSIONS = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
    ".heic": "image/heic", ".heif": "image/heif", ".pdf": "application/pdf", ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
# How each document type starts: OOXML and ODF are ZIP archives, legacy Office files are OLE2.
_ZIP, _OLE = (b"PK\x03\x04",), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
DOCUMENT_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "application/msword": _OLE, "application/vnd.ms-excel": _OLE, "application/vnd.ms-powerpoint": _OLE,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ZIP,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _ZIP,
    "application/vnd.oasis.opendocument.text": _ZIP, "application/vnd.oasis.opendocument.spreadsheet": _ZIP,
}


def declared_type(mime: str | None, filename: str | None) -> str:
    """The type a file claims: its MIME type, or the one its extension names when the MIME is vague."""
    kind = (mime or "").lower()
    if kind in ("", "application/octet-stream") and filename:
        kind = EXTENSIONS.get(PurePath(filename).suffix.lower(), "")
    return kind


def classify(*, is_photo: bool, mime: str | None, filename: str | None, size: int | None,
             max_bytes: int = MAX_DOWNLOAD_BYTES) -> EvidenceKind | str:
    """The kind of evidence, or the catalog code of the refusal."""
    if size is not None and size > max_bytes:
        return "evidence.too_big"
    if size == 0:
        return "evidence.empty"
    if is_photo:
        return EvidenceKind.PHOTO
    kind = declared_type(mime, filename)
    if kind in IMAGE_MIMES:
        return EvidenceKind.IMAGE_FILE
    if kind in DOCUMENT_MIMES:
        return EvidenceKind.DOCUMENT
    return "evidence.bad_type"


def document_matches(content: bytes, mime: str | None, filename: str | None) -> bool:
    """Whether a document's first bytes are those of the type it claims (a renamed file is not)."""
    starts = DOCUMENT_MAGIC.get(declared_type(mime, filename))
    return bool(starts) and content.startswith(starts)
