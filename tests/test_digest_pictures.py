"""The digest pictures (bot/pictures): the card PNG and the evidence collage JPEG."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image, ImageFont

from bot.pictures import PillowPictures, collage, digest_card, render_card, render_collage
from bot.pictures.digest_card import FLAG, HEADER_BG, PAD, ROW_H, STATUS_COLOURS, WIDTH
from bot.ports import CardRow, DigestCardData

LABELS = {"on_time": "Tepat waktu 15.20", "late": "Terlambat 16.45", "missing": "Belum lapor", "excused": "Cuti"}


def row(name="Wahyu Hakim", status="on_time", flags=(), **kw) -> CardRow:
    fields = dict(mode="WFH", status_label=LABELS.get(status, "?"), done=2, total=3, evidence=1) | kw
    return CardRow(name=name, status=status, flags=flags, **fields)


def card(rows=(), **kw) -> DigestCardData:
    fields = dict(title="Rekap tim — Senin, 23 November 2026", subtitle="Dimas Daulay · Sekretariat",
                  totals_label="Total: 1 tepat waktu") | kw
    return DigestCardData(rows=tuple(rows), **fields)


def png(data: DigestCardData) -> Image.Image:
    content = render_card(data)
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    return image.convert("RGB")


def header_height(image: Image.Image) -> int:
    """The first row below the dark header band (its left margin is plain header colour)."""
    return next(y for y in range(image.height) if image.getpixel((5, y)) != HEADER_BG)


def count(image: Image.Image, colour, box=None) -> int:
    region = image.crop(box) if box else image
    return dict((c, n) for n, c in region.getcolors(maxcolors=region.width * region.height)).get(colour, 0)


def test_card_is_phone_wide_and_grows_by_one_row_per_person():
    heights = [png(card([row(f"Pegawai {i}") for i in range(n)])).size for n in (1, 5, 12)]
    assert [w for w, _ in heights] == [WIDTH] * 3
    assert heights[1][1] - heights[0][1] == 4 * ROW_H
    assert heights[2][1] - heights[1][1] == 7 * ROW_H


def test_each_status_gets_its_chip_colour():
    statuses = ["on_time", "late", "missing", "excused", "unknown"]
    image = png(card([row(f"P{i}", s) for i, s in enumerate(statuses)]))
    top = header_height(image)
    for i, status in enumerate(statuses):  # the chip's right end, beside the name
        expected = STATUS_COLOURS.get(status, STATUS_COLOURS["excused"])[0]
        assert image.getpixel((WIDTH - PAD - 12, top + i * ROW_H + 40)) == expected, status


def test_chip_colours_appear_only_for_the_statuses_present():
    image = png(card([row("A", "on_time"), row("B", "on_time")]))
    rows_box = (0, header_height(image), WIDTH, image.height)
    assert count(image, STATUS_COLOURS["on_time"][0], rows_box) > 2 * 3000  # two chips of ~150×52 px
    for status in ("late", "missing", "excused"):
        assert count(image, STATUS_COLOURS[status][0], rows_box) == 0


def test_header_bar_splits_the_team_by_status():
    rows = [row("a", "on_time")] * 6 + [row("b", "late")] * 2 + [row("c", "missing")] * 2
    image = png(card(rows))
    y = header_height(image) - 62 + 19  # the middle of the totals bar
    line = image.crop((PAD, y, WIDTH - PAD, y + 1))
    green, amber, red = (count(line, STATUS_COLOURS[s][0]) for s in ("on_time", "late", "missing"))
    assert abs(green / (WIDTH - 2 * PAD) - 0.6) < 0.05
    assert abs(amber - red) < 40 and amber > 150
    assert count(line, STATUS_COLOURS["excused"][0]) == 0


def test_flags_add_a_red_line_under_the_name():
    plain, flagged = png(card([row()])), png(card([row(flags=("Bukti dipakai ulang", "Lokasi di luar rumah"))]))
    assert flagged.height - plain.height == digest_card.FLAG_H
    assert count(flagged, FLAG) > 200 and count(plain, FLAG) == 0


def test_no_rows_still_makes_a_card():
    image = png(card([], totals_label="Total 0 orang"))
    assert image.width == WIDTH and 200 < image.height < 400


def test_more_than_sixty_rows_are_cut_and_the_rest_is_announced():
    def height(n, more=""):
        return png(card([row(f"Pegawai {i}") for i in range(n)], more_label=more)).height

    sixty = height(60)
    assert height(60, "+0 lainnya") == sixty  # nothing was cut: no "more" line
    assert height(61, "+1 lainnya") == sixty + 48  # one footer line, not a row
    assert height(250, "+190 lainnya") == sixty + 48


def test_a_huge_card_stays_within_telegram_photo_limits():
    image = png(card([row(f"P{i}", flags=("Bukti dipakai ulang",)) for i in range(60)],
                     sub_units=tuple((f"Unit {i}", 3, 1, 1, 0) for i in range(100))))
    assert image.width + image.height <= 10_000
    assert image.height / image.width < 20


def test_rollup_adds_one_line_per_sub_unit_and_is_capped():
    base = png(card([row()])).height
    three = png(card([row()], sub_units=(("Subbagian Umum", 4, 1, 1, 0), ("Keuangan", 4, 1, 0, 1),
                                         ("Perencanaan", 2, 0, 1, 1)),
                     rollup_title="Rekap per unit", rollup_headers=("Lapor", "Telat", "Belum", "Izin"))).height
    assert three - base == digest_card.ROLLUP_HEAD + 3 * digest_card.SUB_H + 16
    forty = png(card([row()], sub_units=tuple((f"U{i}", 1, 0, 0, 0) for i in range(40)))).height
    many = png(card([row()], sub_units=tuple((f"U{i}", 1, 0, 0, 0) for i in range(400)))).height
    assert many - forty == 56  # the "… +360" line


def test_odd_names_do_not_break_the_card():
    long_name = "Prof. Dr. Ir. Raden Mas Muhammad Abdurrahman Kusumanegara Hadiningrat, S.T., M.T., Ph.D. " * 3
    rows = [row(long_name, "late", status_label="Terlambat " * 20, mode="WFH (bekerja dari rumah)",
                flags=("x" * 300,)),
            row('<b>Ayu</b> & "Sé" 😀 日本\nbaris', "excused"), row("", "missing", status_label="", done=-1, total=0)]
    image = png(card(rows, title="—" * 200, subtitle="", totals_label="T " * 500))
    assert image.width == WIDTH and image.height > 3 * ROW_H


def test_text_is_fitted_and_kept_to_what_the_font_can_draw():
    fitted = digest_card.fit("Prof. Dr. Ir. Raden Mas Muhammad Abdurrahman Kusumanegara", digest_card.NAME, 300)
    assert fitted.endswith("…") and digest_card._width(fitted, digest_card.NAME) <= 300
    assert digest_card.fit("Wahyu Hakim", digest_card.NAME, 600) == "Wahyu Hakim"
    assert digest_card._clean("Rekap tim — José\nMüller 😀") == "Rekap tim - Jose Muller "
    assert digest_card._clean("<b>A&B</b>") == "<b>A&B</b>"  # drawn literally: a picture has no markup


def test_without_freetype_the_bitmap_font_is_used(monkeypatch):
    bitmap = ImageFont.load_default_imagefont()
    monkeypatch.setattr(digest_card, "font", lambda size: bitmap)
    digest_card._supported.cache_clear()
    try:
        image = png(card([row("Sé Müller", "late", flags=("Bukti dipakai ulang",))]))
    finally:
        digest_card._supported.cache_clear()
    assert image.width == WIDTH


def make_jpegs(tmp_path, n, size=(720, 1280)):
    colours = [(200, 30, 30), (30, 160, 60), (30, 60, 200), (240, 200, 0), (120, 40, 160), (0, 0, 0)]
    paths = []
    for i in range(n):
        image = Image.new("RGB", size if i % 2 == 0 else size[::-1], colours[i % len(colours)])
        exif = Image.Exif()
        exif[0x010F] = "Kamera Rahasia"  # Make
        path = tmp_path / f"thumb{i}.jpg"
        image.save(path, "JPEG", exif=exif.tobytes())
        paths.append(str(path))
    return paths


def jpeg(content: bytes) -> Image.Image:
    assert content[:3] == b"\xff\xd8\xff"
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG"
    return image


def test_collage_tiles_five_thumbnails_in_a_grid(tmp_path):
    image = jpeg(render_collage(make_jpegs(tmp_path, 5), columns=4, tile=270))
    gap = collage.GAP
    assert image.size == (4 * 270 + 5 * gap, 2 * 270 + 3 * gap)
    centre = image.getpixel((gap + 270 // 2, gap + 270 // 2))  # the first tile is red
    assert centre[0] > 180 and centre[1] < 60 and centre[2] < 60
    assert not image.getexif() and "exif" not in image.info


def test_collage_skips_unreadable_files(tmp_path):
    paths = make_jpegs(tmp_path, 4)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image at all")
    image = jpeg(render_collage([paths[0], str(broken), str(tmp_path / "gone.jpg"), *paths[1:]], columns=4))
    assert image.size == (4 * 270 + 5 * collage.GAP, 270 + 2 * collage.GAP)  # one full row of four


def test_collage_of_nothing_is_none(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG garbage")
    assert render_collage([]) is None
    assert render_collage([str(broken)]) is None


def test_collage_keeps_at_most_24_tiles_and_fewer_columns_for_few_images(tmp_path):
    paths = make_jpegs(tmp_path, 30, size=(64, 48))
    assert jpeg(render_collage(paths, columns=4, tile=100)).size == (4 * 100 + 5 * collage.GAP,
                                                                     6 * 100 + 7 * collage.GAP)
    assert jpeg(render_collage(paths[:2], columns=4, tile=100)).size == (2 * 100 + 3 * collage.GAP,
                                                                         100 + 2 * collage.GAP)


async def test_pillow_pictures_draws_off_the_event_loop(tmp_path, monkeypatch):
    threads = []
    real = digest_card.render_card

    def spy(data):
        threads.append(threading.current_thread())
        return real(data)

    monkeypatch.setattr(digest_card, "render_card", spy)
    pictures = PillowPictures()
    content = await pictures.digest_card(card([row()]))
    assert content.startswith(b"\x89PNG") and threads and threads[0] is not threading.main_thread()
    assert jpeg(await pictures.collage(make_jpegs(tmp_path, 3), columns=2)).size == (
        2 * 270 + 3 * collage.GAP, 2 * 270 + 3 * collage.GAP)
    assert await pictures.collage([]) is None


@pytest.mark.parametrize("status", list(STATUS_COLOURS))
def test_status_text_on_its_chip_is_readable(status):
    """Chip text against chip fill: WCAG contrast of at least 3:1 (large bold text)."""
    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    fill, ink = STATUS_COLOURS[status]
    light, dark = sorted((luminance(fill), luminance(ink)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 3
