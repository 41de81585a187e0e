"""A collage of the day's screenshot thumbnails: square tiles in a grid, one JPEG, no metadata."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable

from PIL import Image, ImageOps

MAX_TILES = 24
GAP = 6
BACKGROUND = (255, 255, 255)


def _tile(path: str, tile: int) -> Image.Image | None:
    """The image as a `tile`×`tile` RGB square (centre crop), or None when it cannot be read."""
    try:
        with Image.open(path) as img:
            img.draft("RGB", (tile * 2, tile * 2))  # JPEG: decode at a reduced scale, much faster
            img = ImageOps.exif_transpose(img)
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                img = img.convert("RGBA")
                flat = Image.new("RGB", img.size, BACKGROUND)
                flat.paste(img, mask=img.getchannel("A"))
                img = flat
            else:
                img = img.convert("RGB")
            return ImageOps.fit(img, (tile, tile), Image.Resampling.LANCZOS)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def render_collage(paths: Iterable[str], columns: int = 4, tile: int = 270) -> bytes | None:
    """JPEG bytes of up to 24 readable images in a grid of `columns` (fewer when there are fewer
    images), separated and framed by a `GAP` px gap; unreadable files are skipped; None if none is left.
    Only pixels are written: no EXIF or other metadata reaches the output."""
    tiles: list[Image.Image] = []
    for path in paths:
        if len(tiles) >= MAX_TILES:
            break
        square = _tile(str(path), tile)
        if square is not None:
            tiles.append(square)
    if not tiles:
        return None
    cols = max(1, min(columns, len(tiles)))
    rows = math.ceil(len(tiles) / cols)
    sheet = Image.new("RGB", (cols * tile + (cols + 1) * GAP, rows * tile + (rows + 1) * GAP), BACKGROUND)
    for i, square in enumerate(tiles):
        r, c = divmod(i, cols)
        sheet.paste(square, (GAP + c * (tile + GAP), GAP + r * (tile + GAP)))
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()
