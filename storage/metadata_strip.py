"""Removing metadata from JPEG and PNG files without re-encoding them.

Re-encoding a full-size photo costs a full decode and encode (about ten times a reduced JPEG decode
for a thumbnail); copying the compressed data without its metadata segments costs almost nothing and
loses no quality. Pillow has no lossless way to do this, hence these two small filters. Both return
None when the file's structure is not what they expect; the caller then re-encodes instead."""

from __future__ import annotations

import struct

_SOI, _EOI, _SOS = b"\xff\xd8", b"\xff\xd9", 0xDA
_APP0, _APP2, _APP14 = 0xE0, 0xE2, 0xEE
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ancillary chunks that can carry EXIF (with GPS), XMP, free text or a timestamp.
_PNG_METADATA = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}


def strip_jpeg(data: bytes) -> bytes | None:
    """The JPEG with only what decoding needs: JFIF (APP0), the colour profile (APP2 ICC_PROFILE) and
    Adobe's colour transform (APP14) are kept; EXIF/XMP (APP1), IPTC (APP13), comments and every other
    APPn are dropped, and so is anything after the end of the first image (MPO extra images, trailers)."""
    if not data.startswith(_SOI):
        return None
    out = [_SOI]
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        segment = data[pos:pos + 2 + length]
        if len(segment) < 2 + length or length < 2:
            return None
        if marker == _SOS:
            end = data.find(_EOI, pos)  # inside entropy-coded data 0xFF is always stuffed, so this is the end
            if end < 0:
                return None
            out.append(data[pos:end + 2])
            return b"".join(out)
        is_app = 0xE0 <= marker <= 0xEF
        keep = not is_app and marker != 0xFE or marker in (_APP0, _APP14) or (
            marker == _APP2 and segment[4:16] == b"ICC_PROFILE\x00")
        if keep:
            out.append(segment)
        pos += 2 + length
    return None


def strip_png(data: bytes) -> bytes | None:
    """The PNG without its EXIF, text and time chunks (everything up to IEND otherwise kept as it is)."""
    if not data.startswith(_PNG_SIGNATURE):
        return None
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data):
            return None
        if kind not in _PNG_METADATA:
            out.append(data[pos:end])
        if kind == b"IEND":
            return b"".join(out)
        pos = end
    return None
