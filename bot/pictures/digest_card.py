"""The digest card: a PNG for a glance at a phone (1080 px wide, large text); the text digest is the truth.

Fonts: Pillow's bundled scalable font (`ImageFont.load_default(size=…)`, Pillow ≥ 10.1 with FreeType),
so nothing depends on the host's font files; "bold" is the same font drawn with a 1 px stroke."""

from __future__ import annotations

import asyncio
import io
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from bot.pictures.collage import render_collage
from bot.ports import CardRow, DigestCardData

WIDTH, PAD = 1080, 40
MAX_ROWS = 60
MAX_SUB_UNITS = 40
MAX_SIDES = 9900  # Telegram refuses a photo whose width + height exceed 10000

STATUS_COLOURS = {  # chip fill, chip text
    "on_time": ((30, 142, 62), (255, 255, 255)),
    "late": ((249, 171, 0), (32, 33, 36)),
    "missing": ((217, 48, 37), (255, 255, 255)),
    "excused": ((128, 134, 139), (255, 255, 255)),
}
STATUSES = tuple(STATUS_COLOURS)
HEADER_BG, HEADER_SUB = (23, 52, 92), (200, 214, 235)
INK, MUTED, FLAG = (32, 33, 36), (84, 90, 98), (179, 20, 18)
ZEBRA, WHITE, RULE = (241, 244, 248), (255, 255, 255), (218, 222, 228)
BAR_FILL, BAR_TRACK = (26, 115, 232), (208, 214, 222)

TITLE, SUBTITLE, NAME, BODY, SMALL = 46, 34, 40, 34, 34  # px; at 360 px wide a phone shows a third
ROW_H, FLAG_H, SUB_H, ROLLUP_HEAD = 124, 46, 70, 108
# The bundled font covers ASCII and a few signs: others become a near sign, or lose their accent.
SUBSTITUTES = {"—": "-", "–": "-", "−": "-", "•": "·", "×": "x", "→": "->", "\u00a0": " "}


@lru_cache(maxsize=16)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ImportError, TypeError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


@lru_cache(maxsize=4096)
def _supported(char: str) -> bool:
    """Whether the font draws `char` as itself rather than as its "missing glyph" box."""
    if not isinstance(font(32), ImageFont.FreeTypeFont):
        return " " <= char <= "~"  # the bitmap fallback: ASCII

    def ink(c: str) -> bytes:
        im = Image.new("L", (64, 64))
        ImageDraw.Draw(im).text((8, 8), c, font=font(32), fill=255)
        return im.tobytes()
    return ink(char) != ink("\uffff")


def _clean(text: str) -> str:
    """One line (no newlines or tabs) of characters the font can draw."""
    out = []
    for char in " ".join(str(text).split()):
        if not _supported(char):
            char = SUBSTITUTES.get(char) or "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            char = char if all(_supported(c) for c in char) else ""  # an emoji, a foreign script: left out
        out.append(char)
    return "".join(out)


def _width(text: str, size: int) -> float:
    return font(size).getlength(text) + 2  # + the stroke of bold text


def fit(text: str, size: int, max_width: float) -> str:
    """`text` on one line within `max_width` px, cut with "…" when it does not fit."""
    text = _clean(text)
    if _width(text, size) <= max_width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if _width(text[:mid].rstrip() + "…", size) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…" if lo else "…"


def wrap(text: str, size: int, max_width: float, max_lines: int = 3) -> list[str]:
    lines: list[str] = []
    for word in _clean(text).split(" "):
        if lines and _width(f"{lines[-1]} {word}", size) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [" ".join(lines[max_lines - 1:])]
    return [fit(line, size, max_width) for line in lines if line]


def _text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int, fill, *,
          bold: bool = False, anchor: str = "lm") -> None:
    """Text placed by its left, centre or right middle point (anchor "lm", "mm", "rm")."""
    f = font(size)
    stroke = {"stroke_width": 1, "stroke_fill": fill} if bold else {}
    if isinstance(f, ImageFont.FreeTypeFont):
        draw.text(xy, text, font=f, fill=fill, anchor=anchor, **stroke)
        return
    left, top, right, bottom = draw.textbbox((0, 0), text, font=f)  # bitmap fallback: no anchors
    x = xy[0] - (right - left) * {"l": 0, "m": 0.5, "r": 1}[anchor[0]]
    draw.text((x, xy[1] - (bottom - top) / 2 - top), text, font=f, fill=fill)


def _chip(draw, right: float, mid: float, status: str, label: str) -> float:
    """A status chip ending at `right`; returns its width."""
    fill, ink = STATUS_COLOURS.get(status, STATUS_COLOURS["excused"])
    w = _width(label, BODY) + 36
    draw.rounded_rectangle((right - w, mid - 26, right, mid + 26), radius=26, fill=fill)
    _text(draw, (right - w / 2, mid), label, BODY, ink, bold=True, anchor="mm")
    return w


def _bar(image: Image.Image, box: tuple[int, int, int, int], parts: Sequence[tuple[int, tuple]]) -> None:
    """A rounded bar split in proportion to `parts` (count, colour) over a grey track."""
    x0, y0, x1, y1 = box
    layer = Image.new("RGB", (x1 - x0, y1 - y0), BAR_TRACK)
    draw, x, total = ImageDraw.Draw(layer), 0.0, sum(max(n, 0) for n, _ in parts)
    for n, colour in parts:
        w = layer.width * max(n, 0) / total if total else 0
        if w > 0:
            draw.rectangle((round(x), 0, round(x + w), layer.height), fill=colour)
        x += w
    mask = Image.new("L", layer.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, layer.width - 1, layer.height - 1), radius=layer.height // 2,
                                           fill=255)
    image.paste(layer, (x0, y0), mask)


def _evidence_icon(draw, x: float, mid: float) -> None:
    """A small picture glyph (frame, hill, sun): "screenshots" without words."""
    draw.rounded_rectangle((x, mid - 14, x + 36, mid + 14), radius=4, outline=MUTED, width=3)
    draw.polygon([(x + 5, mid + 10), (x + 15, mid - 3), (x + 22, mid + 4), (x + 27, mid), (x + 32, mid + 10)],
                 fill=MUTED)
    draw.ellipse((x + 23, mid - 10, x + 29, mid - 4), fill=MUTED)


def _warning_icon(draw, x: float, mid: float) -> None:
    draw.polygon([(x, mid + 14), (x + 16, mid - 15), (x + 32, mid + 14)], fill=FLAG)
    draw.rectangle((x + 14, mid - 5, x + 18, mid + 5), fill=WHITE)
    draw.rectangle((x + 14, mid + 8, x + 18, mid + 11), fill=WHITE)


def _row_height(row: CardRow) -> int:
    return ROW_H + (FLAG_H if row.flags else 0)


def _draw_row(image: Image.Image, top: int, number: int, row: CardRow) -> None:
    draw = ImageDraw.Draw(image)
    if number % 2 == 0:
        draw.rectangle((0, top, WIDTH, top + _row_height(row) - 1), fill=ZEBRA)
    line1, line2, line3 = top + 40, top + 92, top + 142
    indent = round(PAD + _width("00.", NAME) + 10)
    _text(draw, (PAD, line1), f"{number}.", NAME, MUTED)
    chip_w = _chip(draw, WIDTH - PAD, line1, row.status, fit(row.status_label, BODY, 330))
    _text(draw, (indent, line1), fit(row.name, NAME, WIDTH - PAD - chip_w - 20 - indent), NAME, INK, bold=True)
    _text(draw, (indent, line2), fit(row.mode, SMALL, 160), SMALL, MUTED, bold=True)
    done, total, bar_x = max(row.done, 0), max(row.total, 0), indent + 176
    _bar(image, (bar_x, line2 - 12, bar_x + 360, line2 + 12), [(min(done, total), BAR_FILL),
                                                              (total - min(done, total), BAR_TRACK)])
    _text(draw, (bar_x + 376, line2), f"{done}/{total}", BODY, INK, bold=True)
    count = str(max(row.evidence, 0))
    _text(draw, (WIDTH - PAD, line2), count, BODY, INK, bold=True, anchor="rm")
    _evidence_icon(draw, WIDTH - PAD - _width(count, BODY) - 50, line2)
    if row.flags:
        _warning_icon(draw, indent, line3)
        flags = " · ".join(_clean(f) for f in row.flags)
        _text(draw, (indent + 44, line3), fit(flags, SMALL, WIDTH - PAD - indent - 44), SMALL, FLAG, bold=True)


def _draw_rollup(image: Image.Image, top: int, data: DigestCardData, sub_units) -> None:
    draw, col_w = ImageDraw.Draw(image), 104
    cols_x = WIDTH - PAD - 4 * col_w
    if data.rollup_title:
        _text(draw, (PAD, top + 42), fit(data.rollup_title, BODY, cols_x - PAD - 20), BODY, INK, bold=True)
    for i, status in enumerate(STATUSES):  # column heads: the status colour, and a short label if given
        cx = cols_x + i * col_w + col_w / 2
        draw.rounded_rectangle((cx - 30, top + 26, cx + 30, top + 58), radius=16, fill=STATUS_COLOURS[status][0])
        if i < len(data.rollup_headers):
            _text(draw, (cx, top + 82), fit(data.rollup_headers[i], 30, col_w - 4), 30, MUTED, bold=True,
                  anchor="mm")
    y = top + ROLLUP_HEAD
    for j, (name, reported, late, missing, excused) in enumerate(sub_units):
        if j % 2 == 0:
            draw.rectangle((0, y, WIDTH, y + SUB_H - 1), fill=ZEBRA)
        _text(draw, (PAD, y + 28), fit(name, BODY, cols_x - PAD - 20), BODY, INK)
        parts = [(max(reported - late, 0), "on_time"), (late, "late"), (missing, "missing"), (excused, "excused")]
        _bar(image, (PAD, y + 52, cols_x - 20, y + 62), [(n, STATUS_COLOURS[s][0]) for n, s in parts])
        for i, value in enumerate((reported, late, missing, excused)):
            _text(draw, (cols_x + i * col_w + col_w / 2, y + SUB_H / 2), str(value), NAME, INK, bold=True,
                  anchor="mm")
        y += SUB_H


def render_card(data: DigestCardData) -> bytes:
    """The digest card as PNG bytes: header with a totals bar, one row per person (at most 60), the
    roll-up of sub-units, and a footer with the totals line."""
    rows, cut = data.rows[:MAX_ROWS], len(data.rows) > MAX_ROWS
    sub_units, sub_cut = data.sub_units[:MAX_SUB_UNITS], max(len(data.sub_units) - MAX_SUB_UNITS, 0)
    title = wrap(data.title, TITLE, WIDTH - 2 * PAD, 2)
    subtitle = wrap(data.subtitle, SUBTITLE, WIDTH - 2 * PAD, 2)
    totals = wrap(data.totals_label, BODY, WIDTH - 2 * PAD, 4)
    more = fit(data.more_label, BODY, WIDTH - 2 * PAD) if cut and data.more_label.strip() else ""
    header_h = 34 + 58 * len(title) + 46 * len(subtitle) + 84
    rollup_h = (ROLLUP_HEAD + SUB_H * len(sub_units) + (56 if sub_cut else 0) + 16) if sub_units else 0
    footer_h = 34 + 48 * (len(totals) + bool(more))
    height = header_h + sum(_row_height(r) for r in rows) + rollup_h + footer_h

    image = Image.new("RGB", (WIDTH, height), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, header_h - 1), fill=HEADER_BG)
    y = 34 + 29
    for line in title:
        _text(draw, (PAD, y), line, TITLE, WHITE, bold=True)
        y += 58
    for line in subtitle:
        _text(draw, (PAD, y - 6), line, SUBTITLE, HEADER_SUB)
        y += 46
    counts = Counter(r.status if r.status in STATUS_COLOURS else "excused" for r in data.rows)  # all, drawn or not
    bar_top, total, x = header_h - 62, sum(counts.values()), PAD
    _bar(image, (PAD, bar_top, WIDTH - PAD, bar_top + 38), [(counts[s], STATUS_COLOURS[s][0]) for s in STATUSES])
    for status in STATUSES:  # each count inside its segment, when the segment has room for it
        w = (WIDTH - 2 * PAD) * counts[status] / total if total else 0
        if counts[status] and w >= _width(str(counts[status]), SMALL) + 12:
            _text(draw, (x + w / 2, bar_top + 19), str(counts[status]), SMALL, STATUS_COLOURS[status][1],
                  bold=True, anchor="mm")
        x += w

    y = header_h
    for number, row in enumerate(rows, start=1):
        _draw_row(image, y, number, row)
        y += _row_height(row)
    if sub_units:
        draw.line((0, y, WIDTH, y), fill=RULE, width=3)
        _draw_rollup(image, y, data, sub_units)
        if sub_cut:
            _text(draw, (PAD, y + rollup_h - 16 - 28), f"… +{sub_cut}", BODY, MUTED, bold=True)
        y += rollup_h
    draw.rectangle((0, y, WIDTH, height), fill=ZEBRA)
    draw.line((0, y, WIDTH, y), fill=RULE, width=3)
    y += 17 + 24
    for line, colour in [(line, INK) for line in totals] + ([(more, MUTED)] if more else []):
        _text(draw, (PAD, y), line, BODY, colour, bold=True)
        y += 48

    if WIDTH + height > MAX_SIDES:  # a very long card: shrink it to what Telegram accepts for a photo
        scale = MAX_SIDES / (WIDTH + height)
        image = image.resize((round(WIDTH * scale), round(height * scale)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)  # optimize=True is 5× slower for 3% less
    return out.getvalue()


class PillowPictures:
    """`bot.ports.Pictures` with Pillow; the drawing runs in a worker thread, off the event loop."""

    async def digest_card(self, data: DigestCardData) -> bytes:
        return await asyncio.to_thread(render_card, data)

    async def collage(self, image_paths: Sequence[str], *, columns: int = 4) -> bytes | None:
        return await asyncio.to_thread(render_collage, list(image_paths), columns)
