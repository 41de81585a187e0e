"""What may be sent as evidence of work, before anything is downloaded."""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePath

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # Telegram's Bot API limit for getFile


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    IMAGE_FILE = "image_file"  # a screenshot or photo sent as a file (keeps EXIF)
    DOCUMENT = "document"


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
    ".heic": "image/heic", ".pdf": "application/pdf", ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def classify(*, is_photo: bool, mime: str | None, filename: str | None, size: int | None) -> EvidenceKind | str:
    """The kind of evidence, or the catalog code of the refusal."""
    if size is not None and size > MAX_DOWNLOAD_BYTES:
        return "evidence.too_big"
    if size == 0:
        return "evidence.empty"
    if is_photo:
        return EvidenceKind.PHOTO
    kind = (mime or "").lower()
    if kind in ("", "application/octet-stream") and filename:
        kind = EXTENSIONS.get(PurePath(filename).suffix.lower(), "")
    if kind in IMAGE_MIMES:
        return EvidenceKind.IMAGE_FILE
    if kind in DOCUMENT_MIMES:
        return EvidenceKind.DOCUMENT
    return "evidence.bad_type"
