"""One decode of a received image: is it a real, complete picture of an acceptable size; its EXIF
(capture time, GPS, orientation); a thumbnail; its perceptual hashes; the bytes others may be shown.

Runs in a worker thread (the caller uses asyncio.to_thread). JPEGs are decoded at a reduced scale
(Image.draft): the whole file is still read, so a truncated one is caught, but only the thumbnail's
pixels are produced. The full-size derivative is the original's compressed data without metadata
(storage/metadata_strip.py). An image that must be turned (EXIF orientation) or whose format cannot be
filtered losslessly needs a full-size decode and re-encode (ten times the rest): that derivative is
left pending (`derivative` None) and made off the intake path by `upright_derivative`, from the
routine's housekeeping, long before the original may be purged."""

from __future__ import annotations

import datetime as dt
import io
import struct
from dataclasses import dataclass

import imagehash
import numpy
import scipy.fftpack
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from bot.domain.evidence import MediaRefused
from storage.metadata_strip import strip_jpeg, strip_png

# An iPhone photo sent as a file is HEIC. pillow-heif decodes it with the picture already upright (libheif
# applies its rotation and resets the EXIF orientation to 1), so it takes the same path as the others; its
# derivative is always a re-encode (a JPEG), made off the intake path like a turned photo's.
register_heif_opener()

THUMB_SIZE = (512, 512)
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF"}  # MPO: a JPEG with extra images, as some phones write
# The perceptual hash ignores the top and bottom of the picture (status bar, app header, navigation
# bar: the same on every screenshot of an app) and is probed at shifted crops, so a screenshot whose
# status bar was cut off still lines up with its uncut copy. Tuned in tests/test_evidence_duplicates.py.
HASH_TOP, HASH_BOTTOM = 0.12, 0.10
HASH_BASE = 128  # px, the longer side of the copy the hashes are computed from
PROBE_SHIFTS = tuple(k / 100 for k in range(-5, 6))  # of the height, 1 % steps
_PHASH_BITS = 8  # imagehash.phash's defaults: an 8×8 hash from a 32×32 copy
_PHASH_SIDE = 4 * _PHASH_BITS
FINE_SIZE = 16  # the second opinion's pHash: 16×16 = 256 bits, from a 64×64 copy of the same crop


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    thumbnail: Image.Image  # RGB, at most THUMB_SIZE, orientation applied
    derivative: bytes | None  # full size, no metadata, orientation applied; None: pending (re-encode)
    derivative_ext: str | None  # ".jpg" / ".png" (a HEIC's is a ".jpg")
    phash: str  # what is stored (16 hex digits)
    probes: tuple[str, ...]  # what is looked up (includes phash)
    taken: dt.datetime | None  # EXIF DateTimeOriginal: naive local time unless the EXIF has an offset
    gps: tuple[float, float] | None


def inspect(content: bytes, max_pixels: int) -> ImageFacts:
    """Facts of an image, or MediaRefused (evidence.not_image, evidence.broken_image, evidence.too_many_pixels)."""
    try:
        image = Image.open(io.BytesIO(content))
    except Image.DecompressionBombError:
        raise MediaRefused("evidence.too_many_pixels", limit_mp=max_pixels // 1_000_000) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise MediaRefused("evidence.not_image") from None
    with image:
        if image.format not in FORMATS:
            raise MediaRefused("evidence.not_image")
        width, height = image.size
        if width * height > max_pixels:
            raise MediaRefused("evidence.too_many_pixels", limit_mp=max_pixels // 1_000_000)
        fmt = image.format
        try:
            exif = image.getexif()  # (a PNG is decoded here already: its EXIF may follow the pixels)
            image.draft("RGB", THUMB_SIZE)
            image.load()  # reads the whole file: a truncated or corrupt one fails here
        except (OSError, SyntaxError, ValueError, struct.error, Image.DecompressionBombError):
            raise MediaRefused("evidence.broken_image") from None
        orientation = exif.get(ExifTags.Base.Orientation, 1)
        image.thumbnail(THUMB_SIZE)  # first, so that turning and flattening work on few pixels
        thumbnail = _flat_rgb(ImageOps.exif_transpose(image))
    derivative, ext = _stripped(content, fmt, orientation)
    probes = _hashes(thumbnail)
    return ImageFacts(width, height, thumbnail, derivative, ext, probes[PROBE_SHIFTS.index(0)], probes,
                      _taken(exif), _gps(exif))


def _flat_rgb(image: Image.Image) -> Image.Image:
    """RGB; transparent parts on white (a PNG's transparency would turn black in a JPEG)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _hashes(thumbnail: Image.Image) -> tuple[str, ...]:
    # Eleven hashes of a 512 px thumbnail cost more than the decode; from a small copy, almost nothing.
    # Each probe is cut and scaled to the hash's 32×32 in one step, with sub-pixel crop edges (a 1 %
    # shift of a small copy is not a whole pixel). The eleven pHashes are then computed together:
    # imagehash.phash's own steps (DCT of columns, then rows; the 8×8 lowest frequencies against their
    # median) on the stack of probes, the same bits for a third of the time eleven calls took.
    gray = thumbnail.convert("L")
    gray.thumbnail((HASH_BASE, HASH_BASE), Image.Resampling.BOX)
    w, h = gray.size
    bottom = h * (1 - HASH_BOTTOM)
    probes = numpy.stack([
        numpy.asarray(gray.resize((_PHASH_SIDE, _PHASH_SIDE), Image.Resampling.LANCZOS,
                                  box=(0, max(0.0, h * (HASH_TOP + shift)), w, bottom)))
        for shift in PROBE_SHIFTS
    ])
    dct = scipy.fftpack.dct(scipy.fftpack.dct(probes, axis=1), axis=2)
    low = dct[:, :_PHASH_BITS, :_PHASH_BITS].reshape(len(PROBE_SHIFTS), -1)
    bits = low > numpy.median(low, axis=1, keepdims=True)
    # imagehash's hex: the 64 bits row by row, most significant first.
    return tuple(row.tobytes().hex() for row in numpy.packbits(bits, axis=1))


def resemblance(picture: Image.Image, earlier: Image.Image) -> int:
    """The second opinion on a first-stage match: bits (of 256) between a finer pHash of the same crop
    of both thumbnails, the new picture at its best probe shift, the earlier one unshifted (as stored).
    All shifts, not only the one that matched at 64 bits: identical pictures tie at several shifts
    there, and the first of them is not always the best at 256 bits (measured: 32 instead of 0)."""
    return fine_gap(fine_probes(picture), earlier)


def fine_probes(picture: Image.Image) -> list[imagehash.ImageHash]:
    """The new picture's 256-bit hashes at every probe shift (computed once for all suspects)."""
    gray = picture.convert("L")
    return [_fine_hash(gray, shift) for shift in PROBE_SHIFTS]


def fine_gap(probes: list[imagehash.ImageHash], earlier: Image.Image) -> int:
    stored = _fine_hash(earlier.convert("L"), 0.0)
    return int(min(probe - stored for probe in probes))  # int: not numpy's int64


def _fine_hash(gray: Image.Image, shift: float) -> imagehash.ImageHash:
    w, h = gray.size
    box = (0, max(0.0, h * (HASH_TOP + shift)), w, h * (1 - HASH_BOTTOM))
    side = 4 * FINE_SIZE  # what imagehash.phash would resize to: cut and scaled here in one step
    return imagehash.phash(gray.resize((side, side), Image.Resampling.LANCZOS, box=box), hash_size=FINE_SIZE)


def _stripped(content: bytes, fmt: str, orientation: int) -> tuple[bytes | None, str | None]:
    """The derivative without decoding: the compressed data minus metadata; (None, None) when only a
    re-encode can make it."""
    if orientation in (None, 1):
        if fmt in ("JPEG", "MPO"):
            stripped = strip_jpeg(content)
            if stripped is not None:
                return stripped, ".jpg"
        elif fmt == "PNG":
            stripped = strip_png(content)
            if stripped is not None:
                return stripped, ".png"
    return None, None


def upright_derivative(content: bytes) -> tuple[bytes, str]:
    """Decode at full size once, turn upright, re-encode without metadata (for a pending derivative)."""
    with Image.open(io.BytesIO(content)) as full:
        fmt = full.format
        upright = ImageOps.exif_transpose(full)
        out = io.BytesIO()
        if upright.mode in ("RGBA", "LA", "PA", "P") or fmt == "PNG":
            upright.save(out, "PNG", compress_level=3)
            return out.getvalue(), ".png"
        upright.convert("RGB").save(out, "JPEG", quality=90)
        return out.getvalue(), ".jpg"


def _taken(exif) -> dt.datetime | None:
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    raw = ifd.get(ExifTags.Base.DateTimeOriginal)  # not DateTime: that is when an editor last saved it
    try:
        taken = dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except (TypeError, ValueError):
        return None
    offset = ifd.get(ExifTags.Base.OffsetTimeOriginal)
    if offset:
        try:
            taken = taken.replace(tzinfo=dt.datetime.strptime(str(offset).strip("\x00 "), "%z").tzinfo)
        except ValueError:
            pass
    return taken


def _gps(exif) -> tuple[float, float] | None:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    try:
        lat = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef, "N"), "S")
        lon = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (0.0, 0.0):
        return None
    return lat, lon


def _degrees(value, ref, negative: str) -> float:
    d, m, s = (float(v) for v in value)
    sign = -1 if str(ref).strip("\x00 ").upper() == negative else 1
    return sign * (d + m / 60 + s / 3600)
