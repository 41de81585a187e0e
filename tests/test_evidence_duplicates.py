"""Tuning the near-duplicate threshold on real variations of generated screenshots and photos, through
the store's own pipeline (thumbnail, shifted-crop probes). DESIGN.md records the distances measured."""

import itertools

import pytest

from bot.domain.duplicates import MAX_DISTANCE, bands, distance
from bot.domain.evidence import EvidencePolicy
from storage.media_store import FileMediaStore
from tests.evidence_images import cut_status_bar, encode, photo, screenshot

THRESHOLD = EvidencePolicy().duplicate_distance
SEEDS = range(8)
SIZE = (540, 1170)


@pytest.fixture
def store(tmp_path):
    return FileMediaStore(tmp_path / "media")


_SEEN: dict[bytes, tuple[str, tuple[str, ...]]] = {}


async def hashes(store, content: bytes):
    if content not in _SEEN:
        saved = await store.save(content, filename="x", mime="image/jpeg", kind="image_file")
        _SEEN[content] = saved.phash, saved.probes
    return _SEEN[content]


async def gap(store, earlier: bytes, later: bytes) -> int:
    """How far the later picture is from the earlier one, as the duplicate lookup measures it."""
    stored, _ = await hashes(store, earlier)
    _, probes = await hashes(store, later)
    return min(distance(p, stored) for p in probes)


def variations(img):
    cut = cut_status_bar(img)
    return {
        "recompressed": encode(img, "JPEG", quality=55),
        "resized": encode(img.resize((img.width * 2 // 3, img.height * 2 // 3)), "JPEG", quality=80),
        "status bar cut": encode(cut, "PNG"),
        "taller status bar cut (5 %)": encode(cut_status_bar(img, 0.05), "PNG"),
        "shorter status bar cut (2.5 %)": encode(cut_status_bar(img, 0.025), "PNG"),
        "cut, resized, recompressed": encode(cut.resize((400, round(400 * cut.height / cut.width))), "JPEG", quality=70),
    }


@pytest.mark.parametrize("kind", ["list", "text"])
async def test_the_same_screenshot_stays_within_the_threshold_however_it_was_changed(store, kind):
    measured = {}
    for seed in SEEDS:
        img = screenshot(seed, size=SIZE, kind=kind)
        original = encode(img, "PNG")
        for name, changed in variations(img).items():
            measured[name] = max(measured.get(name, 0), await gap(store, original, changed))
        # The other way round: the cut one came first, the full one later.
        measured["cut first"] = max(measured.get("cut first", 0),
                                    await gap(store, variations(img)["status bar cut"], original))
    assert max(measured.values()) <= THRESHOLD, measured


@pytest.mark.parametrize("kind", ["list", "text"])
async def test_different_screenshots_of_the_same_app_do_not_match(store, kind):
    shots = [encode(screenshot(seed, size=SIZE, kind=kind), "PNG") for seed in SEEDS]
    closest = min([await gap(store, a, b) for a, b in itertools.permutations(shots, 2)])
    assert closest > THRESHOLD


async def test_photos_match_their_copies_and_not_each_other(store):
    pictures = [photo(seed) for seed in range(6)]
    for img in pictures:
        original = encode(img, "JPEG", quality=90)
        assert await gap(store, original, encode(img, "JPEG", quality=50)) <= THRESHOLD
        assert await gap(store, original, encode(img.resize((800, 600)), "JPEG", quality=75)) <= THRESHOLD
    encoded = [encode(img, "JPEG", quality=90) for img in pictures]
    assert min([await gap(store, a, b) for a, b in itertools.combinations(encoded, 2)]) > 2 * THRESHOLD


def test_hashes_within_the_largest_threshold_share_a_band():
    base = 0x9F3A_5C01_77E2_B48D
    for flipped in itertools.combinations(range(0, 64, 5), MAX_DISTANCE):
        other = base
        for bit in flipped:
            other ^= 1 << bit
        a, b = f"{base:016x}", f"{other:016x}"
        assert distance(a, b) == MAX_DISTANCE
        assert any(x == y for x, y in zip(bands(a), bands(b)))
    assert EvidencePolicy().duplicate_distance <= MAX_DISTANCE
