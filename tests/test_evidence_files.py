"""The media store with real Pillow images: what is refused, what others may see (no EXIF, no GPS,
upright), what is kept private, and what the EXIF says."""

import datetime as dt
import io
import stat
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from bot.domain.evidence import EvidenceKind, MediaRefused, classify
from storage.media_store import FileMediaStore
from tests.evidence_images import camera_exif, camera_heic, camera_jpeg, encode, png_claiming, screenshot

TAKEN = dt.datetime(2026, 11, 20, 8, 15, 0)
HOME = (-1.61, 103.61)


@pytest.fixture
def store(tmp_path):
    return FileMediaStore(tmp_path / "media")


async def refusal(store, content, filename="bukti.jpg", mime="image/jpeg", kind=EvidenceKind.IMAGE_FILE):
    with pytest.raises(MediaRefused) as caught:
        await store.save(content, filename=filename, mime=mime, kind=kind.value)
    return caught.value.code


def stored_files(store) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()] if store.root.exists() else []


async def test_every_bad_image_is_refused_with_its_reason_and_nothing_is_written(store):
    good = encode(screenshot(1), "JPEG", quality=85)
    corrupt = good[:200] + bytes(range(256)) * 20  # a JPEG header, then garbage
    assert await refusal(store, b"\x00\x01garbage" * 100) == "evidence.not_image"
    assert await refusal(store, corrupt) in ("evidence.broken_image", "evidence.not_image")
    assert await refusal(store, good[: len(good) // 2]) == "evidence.broken_image"  # truncated JPEG
    assert await refusal(store, encode(screenshot(2))[:4000], "s.png", "image/png") == "evidence.broken_image"
    assert await refusal(store, b"%PDF-1.7\n" + b"0" * 500) == "evidence.not_image"  # a PDF named .jpg
    assert await refusal(store, encode(Image.new("RGB", (50, 50)), "GIF")) == "evidence.not_image"  # not allowed
    assert await refusal(store, b"") == "evidence.empty"
    assert stored_files(store) == []


async def test_a_decompression_bomb_is_refused_from_its_header_before_decoding(store, tmp_path):
    assert await refusal(store, png_claiming(50_000, 50_000), "bom.png", "image/png") == "evidence.too_many_pixels"
    small_limit = FileMediaStore(tmp_path / "small", max_pixels=1_000_000)
    with pytest.raises(MediaRefused) as caught:
        await small_limit.save(encode(screenshot(3, size=(1000, 1100))), filename="a.png", mime="image/png")
    assert caught.value.code == "evidence.too_many_pixels" and caught.value.params == {"limit_mp": 1}
    ok = await small_limit.save(encode(screenshot(3, size=(900, 1100))), filename="a.png", mime="image/png")
    assert ok.thumb_path  # 990,000 pixels: just under the limit


async def test_documents_must_start_like_their_type(store):
    async def document(content, filename, mime=None):
        return await store.save(content, filename=filename, mime=mime, kind=EvidenceKind.DOCUMENT.value)

    assert (await document(b"%PDF-1.4 laporan", "laporan.pdf", "application/pdf")).thumb_path is None
    assert await document(b"PK\x03\x04 zip", "notulen.docx")  # OOXML is a ZIP
    assert await document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 ole", "lama.xls")  # legacy Office is OLE2
    assert await document(b"PK\x03\x04 zip", "rekap.ods")  # ODF is a ZIP too
    for content, filename in ((b"MZ\x90\x00 exe", "laporan.pdf"), (encode(screenshot(4)), "surat.docx"),
                              (b"%PDF-1.4", "rekap.xlsx")):
        assert await refusal(store, content, filename, None, EvidenceKind.DOCUMENT) == "evidence.wrong_content"


def test_unknown_types_too_big_and_empty_are_refused_before_download():
    assert classify(is_photo=False, mime="video/mp4", filename="a.mp4", size=10) == "evidence.bad_type"
    assert classify(is_photo=False, mime=None, filename="a.exe", size=10) == "evidence.bad_type"
    assert classify(is_photo=False, mime=None, filename="a.pdf", size=0) == "evidence.empty"
    assert classify(is_photo=False, mime=None, filename="a.pdf", size=5 * 2**20 + 1, max_bytes=5 * 2**20) == \
        "evidence.too_big"
    assert classify(is_photo=False, mime=None, filename="a.pdf", size=5 * 2**20, max_bytes=5 * 2**20) == \
        EvidenceKind.DOCUMENT


@pytest.mark.parametrize("orientation", [1, 6])
async def test_the_derivative_and_thumbnail_carry_no_exif_or_gps_and_stand_upright(store, orientation):
    content = camera_jpeg(size=(1600, 1200), taken=TAKEN, gps=HOME, orientation=orientation)
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif().get_ifd(0x8825)  # the original does have GPS
    saved = await store.save(content, filename="foto.jpg", mime="image/jpeg", kind="image_file")
    upright = (1600, 1200) if orientation == 1 else (1200, 1600)  # 6: the camera was turned a quarter
    derivative_path = saved.derivative_path
    if orientation != 1:
        # A turned photo's derivative needs a full re-encode: pending at intake, made by the housekeeping.
        assert derivative_path is None
        derivative_path = await store.make_derivative(saved.path, saved.sha256)
    for path in (derivative_path, saved.thumb_path):
        raw = Path(path).read_bytes()
        assert b"Exif" not in raw and b"Samsung" not in raw
        with Image.open(path) as shown:
            assert not shown.getexif() and "exif" not in shown.info
            assert shown.size[0] > shown.size[1] if upright[0] > upright[1] else shown.size[0] < shown.size[1]
    with Image.open(derivative_path) as derivative:
        assert derivative.size == upright  # full size
    assert saved.taken == TAKEN and saved.gps == pytest.approx(HOME, abs=1e-4)


async def test_an_upright_jpeg_loses_its_metadata_but_not_a_single_pixel(store):
    content = camera_jpeg(taken=TAKEN, gps=HOME)
    saved = await store.save(content, filename="foto.jpg", mime="image/jpeg", kind="image_file")
    with Image.open(io.BytesIO(content)) as original, Image.open(saved.derivative_path) as derivative:
        assert original.tobytes() == derivative.tobytes()  # copied without re-encoding


async def test_png_text_and_exif_chunks_are_removed_from_the_derivative(store):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Screenshot, Jl. Sudirman No. 1")
    content = encode(screenshot(5), "PNG", pnginfo=info, exif=camera_exif(taken=TAKEN, gps=HOME))
    saved = await store.save(content, filename="layar.png", mime="image/png", kind="image_file")
    raw = Path(saved.derivative_path).read_bytes()
    assert b"Sudirman" not in raw and b"eXIf" not in raw and b"Samsung" not in raw
    with Image.open(saved.derivative_path) as derivative, Image.open(io.BytesIO(content)) as original:
        assert derivative.tobytes() == original.convert(derivative.mode).tobytes()


async def test_originals_are_private_and_everything_is_content_addressed(store):
    content = camera_jpeg(taken=TAKEN)
    first = await store.save(content, filename="foto.jpg", mime="image/jpeg", kind="image_file")
    again = await store.save(content, filename="lagi.jpg", mime="image/jpeg", kind="image_file")
    assert first == again
    original = Path(first.path)
    assert original.parent.parent.name == "originals" and first.sha256 in original.name
    assert stat.S_IMODE(original.stat().st_mode) == 0o600
    assert Path(first.derivative_path).parent.parent.name == "derivatives"
    assert Path(first.thumb_path).parent.parent.name == "thumbs"
    assert len(first.phash) == 16 and first.phash in first.probes


async def test_an_original_is_never_on_disk_readable_by_others_not_even_before_it_is_renamed(store, monkeypatch):
    """It was written with the umask's mode (0644) and chmod-ed to 0600 after: for that moment a camera photo
    with its GPS was readable by every user of the host. Every mode a file had when it was chmod-ed is seen."""
    import os

    before_chmod, real_chmod = [], os.chmod

    def spying(path, mode, *args, **kwargs):
        before_chmod.append(stat.S_IMODE(os.stat(path).st_mode))
        real_chmod(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "chmod", spying)
    umask = os.umask(0o022)
    try:
        saved = await store.save(camera_jpeg(taken=TAKEN), filename="foto.jpg", mime="image/jpeg", kind="image_file")
    finally:
        os.umask(umask)
    assert [mode for mode in before_chmod if mode & 0o077] == []
    assert stat.S_IMODE(Path(saved.path).stat().st_mode) == 0o600


async def test_an_iphone_heic_file_is_checked_and_shown_like_any_photo_and_its_derivative_is_a_plain_jpeg(store):
    # An iPhone photo sent as a file. It used to be kept as received, shown by name only, never checked
    # (no capture time, no duplicate hash) and, without a derivative, never purged with its GPS.
    heic = camera_heic(size=(1600, 1200), taken=TAKEN, gps=HOME, orientation=6)
    saved = await store.save(heic, filename="IMG_0001.HEIC", mime="image/heic", kind="image_file")
    assert saved.taken == TAKEN and saved.gps == pytest.approx(HOME, abs=1e-4)
    assert len(saved.phash) == 16 and stat.S_IMODE(Path(saved.path).stat().st_mode) == 0o600
    assert saved.derivative_path is None  # a re-encode: made off the intake path, by the housekeeping
    derivative_path = await store.make_derivative(saved.path, saved.sha256)
    assert derivative_path.endswith(".jpg")
    for path in (derivative_path, saved.thumb_path):
        raw = Path(path).read_bytes()
        assert b"Exif" not in raw and b"Samsung" not in raw
        with Image.open(path) as shown:
            assert shown.format == "JPEG" and not shown.getexif()
            assert shown.size[0] < shown.size[1]  # upright: the camera was turned a quarter
    with Image.open(derivative_path) as derivative:
        assert derivative.size == (1200, 1600)
    # HEIC only by name, or cut short: refused, nothing kept.
    assert await refusal(store, b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64, "IMG_0002.HEIC", "image/heic") == \
        "evidence.not_image"
    assert await refusal(store, heic[: len(heic) // 2], "IMG_0003.HEIC", "image/heic") in \
        ("evidence.broken_image", "evidence.not_image")
