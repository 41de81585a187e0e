"""Real images made with Pillow for the evidence tests and the benchmark: app screenshots (status
bar, header, a list or text with pictures, navigation bar), camera-like photos, EXIF with time and GPS."""

from __future__ import annotations

import datetime as dt
import io
import random
import struct
import zlib

from PIL import ExifTags, Image, ImageDraw, ImageFont

BRAND = (7, 94, 84)
WORDS = ("laporan kegiatan rapat koordinasi surat dinas verifikasi data pegawai anggaran monitoring evaluasi "
         "disposisi arsip notulen undangan").split()
STATUS_BAR = 0.035  # of the height, as on most phones


def screenshot(seed: int, size=(540, 1170), kind: str = "list", status_bar: bool = True) -> Image.Image:
    """A screenshot of the same app ("e-Kinerja") whose content depends on `seed`."""
    rnd = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(img)
    font, big = ImageFont.load_default(size=max(10, w // 30)), ImageFont.load_default(size=max(12, w // 22))
    top = 0
    if status_bar:
        top = int(h * STATUS_BAR)
        d.rectangle([0, 0, w, top], fill=(5, 80, 70))
        d.text((w * 0.04, top * 0.2), f"{rnd.randint(7, 16):02d}.{rnd.randint(0, 59):02d}", fill="white", font=font)
        for i in range(3):
            d.rectangle([w - 40 - i * 22, top * 0.3, w - 28 - i * 22, top * 0.75], fill="white")
    bar = int(h * 0.07)
    d.rectangle([0, top, w, top + bar], fill=BRAND)
    d.text((w * 0.15, top + bar * 0.3), "e-Kinerja", fill="white", font=big)
    y = top + bar + 10
    while y < h - bar - 60:
        if kind == "list":
            r = int(w * 0.06)
            d.ellipse([w * 0.04, y, w * 0.04 + 2 * r, y + 2 * r], fill=tuple(rnd.randint(40, 230) for _ in range(3)))
            d.text((w * 0.2, y), " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 3))).title(),
                   fill=(20, 20, 20), font=big)
            d.text((w * 0.2, y + r * 1.1), " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 6))),
                   fill=(110, 110, 110), font=font)
            y += 2 * r + 24
            d.line([w * 0.2, y - 12, w, y - 12], fill=(230, 230, 230))
        else:
            for _ in range(rnd.randint(1, 4)):
                d.text((w * 0.05, y), " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 8))),
                       fill=(30, 30, 30), font=font)
                y += w // 22
            if rnd.random() < 0.3:
                block = rnd.randint(h // 10, h // 5)
                d.rectangle([w * 0.05, y, w * 0.95, y + block], fill=tuple(rnd.randint(40, 230) for _ in range(3)))
                y += block
            y += 20
    d.rectangle([0, h - bar, w, h], fill=(245, 245, 245))
    for i in range(4):
        cx = w * (i + 0.5) / 4
        d.ellipse([cx - 14, h - bar * 0.7, cx + 14, h - bar * 0.7 + 28], fill=BRAND if i == 0 else (150, 150, 150))
    return img


def photo(seed: int, size=(1600, 1200)) -> Image.Image:
    """Something like a camera photo: coloured shapes on a coloured ground, nothing in common between seeds."""
    rnd = random.Random(seed)
    img = Image.new("RGB", size, tuple(rnd.randint(0, 255) for _ in range(3)))
    d = ImageDraw.Draw(img)
    for _ in range(40):
        x, y, r = rnd.randint(0, size[0]), rnd.randint(0, size[1]), rnd.randint(20, size[0] // 5)
        d.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rnd.randint(0, 255) for _ in range(3)))
    return img


def cut_status_bar(img: Image.Image, fraction: float = STATUS_BAR) -> Image.Image:
    return img.crop((0, int(img.height * fraction), img.width, img.height))


def encode(img: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def _rational(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4))


def camera_exif(taken: dt.datetime | None = None, gps: tuple[float, float] | None = None,
                orientation: int = 1) -> Image.Exif:
    """EXIF as a phone camera writes it: make/model, orientation, DateTimeOriginal, GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Samsung"
    exif[ExifTags.Base.Model] = "SM-A155F"
    exif[ExifTags.Base.Orientation] = orientation
    if taken is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if gps is not None:
        lat, lon = gps
        exif.get_ifd(ExifTags.IFD.GPSInfo).update({
            ExifTags.GPS.GPSLatitudeRef: "S" if lat < 0 else "N", ExifTags.GPS.GPSLatitude: _rational(abs(lat)),
            ExifTags.GPS.GPSLongitudeRef: "W" if lon < 0 else "E", ExifTags.GPS.GPSLongitude: _rational(abs(lon)),
        })
    return exif


def camera_jpeg(seed: int = 1, size=(1600, 1200), **exif) -> bytes:
    return encode(photo(seed, size), "JPEG", quality=88, exif=camera_exif(**exif))


def camera_heic(seed: int = 1, size=(1600, 1200), **exif) -> bytes:
    """An iPhone photo sent as a file: HEIC."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return encode(photo(seed, size), "HEIF", quality=80, exif=camera_exif(**exif).tobytes())


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width`×`height`: a decompression bomb as far as the header goes."""
    data = bytearray(encode(Image.new("L", (8, 8))))
    ihdr = 8  # after the signature: length (4), b"IHDR" (4), width, height, ...
    data[ihdr + 8:ihdr + 16] = struct.pack(">II", width, height)
    data[ihdr + 21:ihdr + 25] = struct.pack(">I", zlib.crc32(bytes(data[ihdr + 4:ihdr + 21])))
    return bytes(data)
