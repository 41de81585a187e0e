"""Evidence files under MEDIA_DIR, content-addressed by the SHA-256 of what was received:
originals/ab/<sha256><ext> (private, mode 600: never shown to anyone), derivatives/ab/<sha256>.jpg|png
(full size, no EXIF/GPS, orientation applied) and thumbs/ab/<sha256>.jpg (what cards, collages and
/tim show). Image work runs in one thread hop per file, off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import os
import uuid
from collections.abc import Sequence
from pathlib import Path, PurePath

from PIL import Image

from bot.domain.evidence import EvidenceKind, MediaRefused, document_matches
from bot.ports import StoredMedia
from storage.image_facts import fine_gap, fine_probes, inspect, upright_derivative

MAX_PIXELS = 40_000_000  # a larger "image" is refused as a decompression bomb (MEDIA_MAX_PIXELS)


class FileMediaStore:
    def __init__(self, root: Path, *, max_pixels: int = MAX_PIXELS):
        self.root = Path(root)
        self.max_pixels = max_pixels

    async def save(self, content: bytes, *, filename: str | None, mime: str | None,
                   kind: str | None = None) -> StoredMedia:
        """Checks and stores a file; raises MediaRefused (nothing stored) when it is not acceptable."""
        return await asyncio.to_thread(self._save, content, filename, mime, kind)

    def _save(self, content: bytes, filename: str | None, mime: str | None, kind: str | None) -> StoredMedia:
        if not content:
            raise MediaRefused("evidence.empty")
        digest = hashlib.sha256(content).hexdigest()
        if kind == EvidenceKind.DOCUMENT:
            if not document_matches(content, mime, filename):
                raise MediaRefused("evidence.wrong_content")
            return StoredMedia(digest, str(self._original(content, digest, filename, mime)), None, len(content))
        facts = inspect(content, self.max_pixels)
        original = self._original(content, digest, filename, mime)
        derivative = None
        if facts.derivative is not None:  # else pending: made by `make_derivative` off the intake path
            derivative = self._derivative_file(digest, facts.derivative, facts.derivative_ext)
        thumb = self._write(self.root / "thumbs" / digest[:2] / f"{digest}.jpg",
                            lambda path: facts.thumbnail.save(path, "JPEG", quality=80))
        return StoredMedia(
            sha256=digest, path=str(original), thumb_path=str(thumb), size=len(content),
            derivative_path=str(derivative) if derivative else None, phash=facts.phash, probes=facts.probes, taken=facts.taken,
            gps=facts.gps,
        )

    def _derivative_file(self, digest: str, data: bytes, ext: str) -> Path:
        return self._write(self.root / "derivatives" / digest[:2] / f"{digest}{ext}", lambda p: p.write_bytes(data))

    async def make_derivative(self, original: str, sha256: str) -> str:
        """A pending derivative (a turned photo's upright, metadata-free copy), from its original."""
        def work() -> str:
            data, ext = upright_derivative(Path(original).read_bytes())
            return str(self._derivative_file(sha256, data, ext))

        return await asyncio.to_thread(work)

    async def resemble(self, thumb_path: str, earlier: Sequence[str | None]) -> list[int | None]:
        """The second opinion on first-stage duplicates: for each earlier thumbnail, how many bits (of
        256) it is from this one; None where there is no earlier thumbnail (erased) or it cannot be read."""
        return await asyncio.to_thread(self._resemble, thumb_path, list(earlier))

    @staticmethod
    def _resemble(thumb_path: str, earlier: list[str | None]) -> list[int | None]:
        try:
            with Image.open(thumb_path) as image:
                probes = fine_probes(image)
        except OSError:
            return [None] * len(earlier)
        out: list[int | None] = []
        for path in earlier:
            try:
                if path is None:
                    raise FileNotFoundError
                with Image.open(path) as image:
                    out.append(fine_gap(probes, image))
            except OSError:  # missing (purged, erased, a lost volume) or damaged: no opinion
                out.append(None)
        return out

    def _original(self, content: bytes, digest: str, filename: str | None, mime: str | None) -> Path:
        def private(path: Path) -> None:
            # Created 0600, not chmod-ed after the write: until then the photo (GPS and all) sat on disk with
            # the umask's mode, readable by every local user. The temporary name is unique: O_EXCL.
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
                file.write(content)

        return self._write(self.root / "originals" / digest[:2] / f"{digest}{_suffix(filename, mime)}", private)

    @staticmethod
    def _write(target: Path, write) -> Path:
        """Content-addressed: an existing file is the same content. Written aside, then renamed, so a
        reader never sees half a file."""
        if not target.exists():
            if not target.parent.is_dir():  # a stat is cheaper than mkdir's attempt at every level
                target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex}.tmp")  # two senders of one file at once
            write(tmp)
            tmp.replace(target)
        return target


def _suffix(filename: str | None, mime: str | None) -> str:
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix and len(suffix) <= 6 and suffix[1:].isalnum():
        return suffix
    return mimetypes.guess_extension(mime or "") or ".bin"
