"""Evidence files under MEDIA_DIR, content-addressed: originals/ab/<sha256><ext> (private) and
thumbs/ab/<sha256>.jpg (what others may be shown). Image work runs in a thread, off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import io
import mimetypes
import os
from pathlib import Path, PurePath

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.ports import StoredMedia

THUMB_SIZE = (512, 512)
MAX_PIXELS = 40_000_000  # a larger "image" is refused as a decompression bomb, not thumbnailed


class FileMediaStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    async def save(self, content: bytes, *, filename: str | None, mime: str | None) -> StoredMedia:
        return await asyncio.to_thread(self._save, content, filename, mime)

    def _save(self, content: bytes, filename: str | None, mime: str | None) -> StoredMedia:
        digest = hashlib.sha256(content).hexdigest()
        suffix = _suffix(filename, mime)
        original = self.root / "originals" / digest[:2] / f"{digest}{suffix}"
        if not original.exists():
            original.parent.mkdir(parents=True, exist_ok=True)
            tmp = original.with_suffix(original.suffix + ".tmp")
            tmp.write_bytes(content)
            os.chmod(tmp, 0o600)
            tmp.replace(original)
        thumb = self._thumbnail(content, digest)
        return StoredMedia(sha256=digest, path=str(original), thumb_path=str(thumb) if thumb else None, size=len(content))

    def _thumbnail(self, content: bytes, digest: str) -> Path | None:
        target = self.root / "thumbs" / digest[:2] / f"{digest}.jpg"
        if target.exists():
            return target
        try:
            with Image.open(io.BytesIO(content)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                image.draft("RGB", THUMB_SIZE)
                picture = ImageOps.exif_transpose(image).convert("RGB")
                picture.thumbnail(THUMB_SIZE)
                target.parent.mkdir(parents=True, exist_ok=True)
                # Saved without the original's EXIF: a thumbnail carries no GPS or camera data.
                picture.save(target, "JPEG", quality=80)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            return None
        return target


def _suffix(filename: str | None, mime: str | None) -> str:
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix and len(suffix) <= 6 and suffix[1:].isalnum():
        return suffix
    return mimetypes.guess_extension(mime or "") or ".bin"
