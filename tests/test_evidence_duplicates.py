"""Tuning the near-duplicate threshold on real variations of generated screenshots and photos, through
the store's own pipeline (thumbnail, shifted-crop probes). DESIGN.md records the distances measured."""

import datetime as dt
import io
import itertools

import pytest
from PIL import Image

from bot.demo.script import fake_screen
from bot.domain.duplicates import CONFIRM_DISTANCE, MAX_DISTANCE, Candidate, bands, distance, suspects
from bot.domain.evidence import EvidencePolicy
from storage.image_facts import resemblance
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


# The second opinion (bot/domain/duplicates.py CONFIRM_DISTANCE): a 256-bit pHash of both thumbnails.
# Pairs of the demo's generated app screens (`fake_screen`) that come within 4 bits at 64 bits: among 200
# different screens, 15 such pairs; these four are all 48–68 bits (of 256) apart at the second opinion.
COLLIDING = [(35, 49), (140, 165), (154, 192), (180, 192)]
APPS = ["SIPD", "e-Kinerja", "SRIKANDI", "e-Layanan 2.3"]


def demo_screen(i: int) -> bytes:
    return fake_screen(f"x{i}", APPS[i % 4], f"Tugas nomor {i}", f"Orang {i}", "JPEG" if i % 2 else "PNG")


async def second_opinion(store, earlier: bytes, later: bytes) -> int | None:
    first = await store.save(earlier, filename="x", mime="image/jpeg", kind="image_file")
    second = await store.save(later, filename="x", mime="image/jpeg", kind="image_file")
    (gap,) = await store.resemble(second.thumb_path, [first.thumb_path])
    return gap


@pytest.mark.parametrize("earlier, later", COLLIDING)
async def test_screenshots_that_collide_at_64_bits_are_told_apart_by_the_second_opinion(store, earlier, later):
    a, b = demo_screen(earlier), demo_screen(later)
    assert await gap(store, a, b) <= THRESHOLD  # what the first stage alone would call a reuse
    opinion = await second_opinion(store, a, b)
    assert opinion > CONFIRM_DISTANCE + 16, opinion  # measured 48–68: well clear, not just past it


@pytest.mark.parametrize("kind", ["list", "text"])
async def test_the_same_screenshot_passes_the_second_opinion_however_it_was_changed(store, kind):
    measured = {}
    for seed in SEEDS:
        img = screenshot(seed, size=SIZE, kind=kind)
        original = encode(img, "PNG")
        changed = variations(img)
        for name, copy in changed.items():
            measured[name] = max(measured.get(name, 0), await second_opinion(store, original, copy))
        measured["cut first"] = max(measured.get("cut first", 0),
                                    await second_opinion(store, changed["status bar cut"], original))
    assert max(measured.values()) <= CONFIRM_DISTANCE, measured  # measured 0–18


async def test_photos_and_demo_screens_pass_the_second_opinion(store):
    for seed in range(3):
        img = photo(seed)
        original = encode(img, "JPEG", quality=90)
        assert await second_opinion(store, original, encode(img, "JPEG", quality=50)) <= CONFIRM_DISTANCE
        assert await second_opinion(store, original, encode(img.resize((800, 600)), "JPEG", quality=75)) <= CONFIRM_DISTANCE
    screen = demo_screen(7)
    assert await second_opinion(store, screen, screen) == 0  # the demo's reused screenshot: the same file
    img = Image.open(io.BytesIO(screen)).convert("RGB")
    for copy in variations(img).values():
        assert await second_opinion(store, screen, copy) <= CONFIRM_DISTANCE


async def test_no_second_opinion_without_both_thumbnails(store, tmp_path):
    saved = await store.save(demo_screen(1), filename="x", mime="image/jpeg", kind="image_file")
    assert await store.resemble(saved.thumb_path, [None, str(tmp_path / "gone.jpg"), saved.thumb_path]) == [None, None, 0]
    assert await store.resemble(str(tmp_path / "gone.jpg"), [saved.thumb_path]) == [None]


def test_resemblance_lines_a_cut_copy_up_with_its_original():
    img = screenshot(3, size=SIZE)
    assert resemblance(img, img) == 0
    assert resemblance(cut_status_bar(img).resize((236, 496)), img.resize((236, 512))) <= CONFIRM_DISTANCE
    assert resemblance(screenshot(4, size=SIZE), img) > 2 * CONFIRM_DISTANCE


def test_suspects_are_the_nearest_first_then_the_earliest():
    base = 0x9F3A_5C01_77E2_B48D
    hashes = {n: f"{base ^ ((1 << n) - 1):016x}" for n in range(6)}  # n bits away from base
    candidates = [Candidate(10 + n, 1, dt.date(2026, 11, 20 - n), h) for n, h in hashes.items()]
    candidates.append(Candidate(30, 2, dt.date(2026, 11, 1), hashes[4]))
    found = suspects([f"{base:016x}"], candidates, 4, limit=4)
    assert [c.evidence_id for c in found] == [10, 11, 12, 13]  # 0–3 bits; the older 4-bit ones wait
    assert [c.evidence_id for c in suspects([f"{base:016x}"], candidates, 4)] == [10, 11, 12, 13, 30, 14]


def test_the_probes_are_imagehash_phashes_of_each_crop():
    """The probes are computed together (one DCT of a stack); each must stay what imagehash.phash gives for
    its crop, or hashes stored before would stop matching new ones."""
    import imagehash

    from storage.image_facts import HASH_BASE, HASH_BOTTOM, HASH_TOP, PROBE_SHIFTS, _hashes

    pictures = [screenshot(seed, kind=kind) for seed in range(6) for kind in ("list", "text")]
    pictures += [photo(seed, size=(640, 480)) for seed in range(6)] + [Image.new("RGB", (40, 30), (9, 9, 9))]
    for picture in pictures:
        picture.thumbnail((512, 512))
        gray = picture.convert("L")
        gray.thumbnail((HASH_BASE, HASH_BASE), Image.Resampling.BOX)
        w, h = gray.size
        one_by_one = tuple(
            str(imagehash.phash(gray.resize((32, 32), Image.Resampling.LANCZOS,
                                            box=(0, max(0.0, h * (HASH_TOP + shift)), w, h * (1 - HASH_BOTTOM)))))
            for shift in PROBE_SHIFTS)
        assert _hashes(picture) == one_by_one
