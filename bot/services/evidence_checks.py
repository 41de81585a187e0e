"""The trust checks of a stored piece of evidence: reused (the same or a near-identical picture sent
before), EXIF capture time far from the sending time, EXIF position far from home on a WFH day.
Each finding is a flag for the superior's digest and a kind note to the sender; nothing is refused."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.duplicates import CONFIRM_DISTANCE, suspects
from bot.domain.evidence import EvidencePolicy
from bot.domain.exif_checks import hours_apart, too_far
from bot.domain.flags import FlagKind, NewFlag
from bot.domain.schedule import local_date
from bot.domain.workday import DEFAULT_MODE, Mode
from bot.ports import MediaStore, StoredMedia
from bot.services.turn import Turn
from bot.services.presence_checks import approved_homes
from bot.texts import format_clock, format_date, format_km


@dataclass(frozen=True)
class Note:
    """What the sender is told, as a catalog key and its parameters."""

    key: str
    params: dict


async def check(turn: Turn, stored: StoredMedia, evidence_id: int, taken_at, policy: EvidencePolicy,
                media: MediaStore) -> list[Note]:
    flags: list[NewFlag] = []
    notes: list[Note] = []
    actor, day, ref = turn.actor, turn.today, f"ev:{evidence_id}"
    earlier = await _earlier(turn, stored, evidence_id, policy, media)
    if earlier is not None:
        same = earlier.person_id == actor.person_id
        # Only the date is told: never who else sent it (the superior sees that in their digest).
        flags.append(NewFlag(actor.person_id, day, FlagKind.REUSED_EVIDENCE, ref,
                             {"earlier_day": earlier.day.isoformat(), "same_person": same}))
        key = "evidence.reused_own" if same else "evidence.reused_other"
        if not stored.phash:  # a PDF or an Office file: only the very same file matches, and it is no picture
            key += "_file"
        notes.append(Note(key, {"date": format_date(earlier.day, turn.lang)}))
    if taken_at is not None:
        hours = hours_apart(taken_at, turn.now)
        if hours > policy.exif_max_age_hours:
            taken_day = local_date(taken_at, actor.timezone)
            flags.append(NewFlag(actor.person_id, day, FlagKind.EXIF_TIME, ref,
                                 {"taken_day": taken_day.isoformat(), "taken_at": taken_at.isoformat(),
                                  "hours": round(hours)}))
            notes.append(Note("evidence.exif_time", {"date": format_date(taken_day, turn.lang),
                                                     "time": format_clock(taken_at, actor.timezone)}))
    if stored.gps is not None and await _works_from_home(turn):
        homes = await approved_homes(turn.uow, [actor.person_id], policy.default_home_radius_m)
        home = homes.get(actor.person_id)
        if home is not None:
            km = too_far(stored.gps, home[:2], home[2], policy.exif_max_distance_km)
            if km is not None:
                flags.append(NewFlag(actor.person_id, day, FlagKind.EXIF_PLACE, ref, {"km": round(km, 1)}))
                notes.append(Note("evidence.exif_place", {"km": format_km(km, turn.lang)}))
    await turn.uow.flags.raise_many(flags, turn.now)
    return notes


async def _earlier(turn: Turn, stored: StoredMedia, evidence_id: int, policy: EvidencePolicy, media: MediaStore):
    person_id, day = turn.actor.person_id, turn.today
    if stored.phash:
        probes = stored.probes or (stored.phash,)
        candidates = await turn.uow.evidence.similar(probes, person_id=person_id, day=day, before_id=evidence_id)
        suspected = suspects(probes, candidates, policy.duplicate_distance)
        if not suspected or stored.thumb_path is None:
            return None
        # 64 bits only raise a suspicion (different screenshots of one app collide); the 256-bit second
        # opinion from both thumbnails decides. No second opinion, no flag: an earlier picture whose
        # thumbnail is gone (its owner's data erased, a lost file) accuses nobody, because on its own
        # the first stage would match a new screenshot with ~2.7 unrelated ones of a 40-person unit's
        # 90 days (DESIGN.md "Near-duplicate threshold").
        gaps = await media.resemble(stored.thumb_path, [c.thumb_path for c in suspected])
        confirmed = [c for c, gap in zip(suspected, gaps) if gap is not None and gap <= CONFIRM_DISTANCE]
        return min(confirmed, key=lambda c: (c.day, c.evidence_id), default=None)  # the date told: the first
    return await turn.uow.evidence.same_file(stored.sha256, person_id=person_id, day=day)


async def _works_from_home(turn: Turn) -> bool:
    work_day = await turn.uow.day.work_day(turn.actor.person_id, turn.today)
    return (Mode(work_day.mode) if work_day else DEFAULT_MODE) == Mode.WFH
