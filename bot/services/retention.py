"""Retention (UU PDP): raw location fixes, the originals of images, presence checks' coordinates, old
update keys, the routine's delivery keys of days gone by and stale conversation states are removed; daily summaries, thumbnails,
derivatives, hashes, flags and the evidence rows stay, so digests and monthly recaps still add up.
Copies of sent messages (the outbox and the WhatsApp adapter's rows) go after MESSAGE_KEEP_DAYS, their
stored attachments as soon as no queued message needs them, and WhatsApp chats nobody is linked to
(a stranger's phone number) after RETENTION_DAYS.

Each kind is removed a chunk at a time, each chunk in its own short transaction; running it again removes
nothing more (idempotent). A dry run counts exactly what the purge would remove."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from bot.ports import UnitOfWorkFactory

CHUNK = 2000
SEEN_UPDATE_DAYS = 3  # platforms redeliver within hours; three days is ample to recognise a repeat
# The routine only ever claims keys of today and yesterday (a unit's day and the presence checks of two days):
# older keys are never read again, and a province makes about 125 million a year.
DELIVERY_KEEP_DAYS = 7
PURGE_HOUR_UTC = 19  # the daily run: 02.00 WIB, 03.00 WITA, 04.00 WIT, the quietest hour
# Sent messages are kept two weeks: long enough to answer "did my briefing go out last week?" and to take
# the Cloud API's status callbacks, which Meta retries for up to 7 days; the chats themselves hold them.
MESSAGE_KEEP_DAYS = 14  # or RETENTION_DAYS, when that is shorter
# A stored attachment is made in the transaction that queues its message; one just made is left alone, so
# a message being queued with a file that already exists never finds it gone.
FILE_GRACE = dt.timedelta(hours=1)


class MediaFiles(Protocol):
    async def sizes(self, paths: Sequence[str]) -> dict[str, int]:
        """The size of each file that exists (missing ones are left out)."""

    async def remove(self, paths: Sequence[str]) -> None:
        """Delete the files (a missing one is not an error)."""


@dataclass
class PurgeCounts:
    location_fixes: int = 0
    original_files: int = 0  # evidence rows whose original was purged
    original_bytes: int = 0  # bytes of the files deleted (a file shared by several rows counts once)
    check_coordinates: int = 0
    seen_updates: int = 0
    delivery_keys: int = 0  # the routine's claims (who was sent which step) of days the routine never reads again
    conversation_states: int = 0
    stranger_refusals: int = 0  # audit entries of unlinked chats turned away (linked people's stay)
    sent_messages: int = 0  # ended outbox messages (sent, failed, expired)
    message_files: int = 0  # attachments stored for messages (digest cards, exports, invites CSV)
    whatsapp_sent: int = 0  # the Cloud API's receipts of sent messages
    whatsapp_held: int = 0  # content held outside the 24-hour window
    whatsapp_strangers: int = 0  # WhatsApp chats (phone numbers) nobody is linked to

    def rows(self) -> list[dict]:
        return [{"kind": k, "count": v} for k, v in asdict(self).items()]


async def purge(uow_factory: UnitOfWorkFactory, files: MediaFiles, *, now: dt.datetime, retention_days: int,
                dry_run: bool, actor: str = "routine", chunk: int = CHUNK) -> PurgeCounts:
    cutoff = now - dt.timedelta(days=retention_days)
    seen_cutoff = now - dt.timedelta(days=SEEN_UPDATE_DAYS)
    delivery_cutoff = now - dt.timedelta(days=DELIVERY_KEEP_DAYS)
    message_cutoff = now - dt.timedelta(days=min(MESSAGE_KEEP_DAYS, retention_days))
    counts = PurgeCounts()
    counts.original_files, counts.original_bytes = await _originals(uow_factory, files, cutoff, now, dry_run, chunk)
    for field, count, remove, at in (
        ("location_fixes", "count_fixes", "delete_fixes", cutoff),
        ("check_coordinates", "count_check_places", "clear_check_places", cutoff),
        ("seen_updates", "count_seen", "delete_seen", seen_cutoff),
        ("delivery_keys", "count_deliveries", "delete_deliveries", delivery_cutoff),
        ("conversation_states", "count_states", "delete_states", cutoff),
        ("stranger_refusals", "count_stranger_refusals", "delete_stranger_refusals", cutoff),
        ("sent_messages", "count_messages", "delete_messages", message_cutoff),
        ("message_files", "count_files", "delete_files", now - FILE_GRACE),
        ("whatsapp_sent", "count_whatsapp_sent", "delete_whatsapp_sent", message_cutoff),
        ("whatsapp_held", "count_whatsapp_held", "delete_whatsapp_held", message_cutoff),
        ("whatsapp_strangers", "count_whatsapp_strangers", "delete_whatsapp_strangers", cutoff),
    ):
        setattr(counts, field, await _rows(uow_factory, count, remove, at, dry_run, chunk))
    if not dry_run:
        async with uow_factory() as uow:
            await uow.audit.record(now, actor, "retention_purge",
                                   {"retention_days": retention_days, **asdict(counts)})
            await uow.commit()
    return counts


async def _rows(uow_factory, count: str, remove: str, cutoff: dt.datetime, dry_run: bool, chunk: int) -> int:
    if dry_run:
        async with uow_factory() as uow:
            return await getattr(uow.retention, count)(cutoff)
    total = 0
    while True:
        async with uow_factory() as uow:
            done = await getattr(uow.retention, remove)(cutoff, chunk)
            await uow.commit()
        total += done
        if done < chunk:
            return total


async def _originals(uow_factory, files: MediaFiles, cutoff: dt.datetime, now: dt.datetime, dry_run: bool,
                     chunk: int) -> tuple[int, int]:
    rows_done, bytes_done, after = 0, 0, 0
    counted: set[str] = set()  # a file shared by rows of several chunks is counted (and deleted) once
    while True:
        async with uow_factory() as uow:
            batch = await uow.retention.old_originals(cutoff, after, chunk)
            if not batch:
                return rows_done, bytes_done
            paths = {path for _, path in batch}
            removable = sorted(paths - await uow.retention.paths_still_needed(sorted(paths), cutoff) - counted)
            sizes = await files.sizes(removable)
            counted.update(removable)
            if not dry_run:
                # Files first, then the rows: if the commit fails, the next run finds the rows again and
                # removing an already missing file is harmless.
                await files.remove(removable)
                await uow.retention.mark_originals_purged([i for i, _ in batch], now)
                await uow.commit()
        rows_done += len(batch)
        bytes_done += sum(sizes.values())
        after = batch[-1][0]


def purge_due(now: dt.datetime, last: dt.datetime | None) -> bool:
    """Once a day, at or after PURGE_HOUR_UTC (a purge run by hand that day counts)."""
    today_at = now.replace(hour=PURGE_HOUR_UTC, minute=0, second=0, microsecond=0)
    latest_slot = today_at if now >= today_at else today_at - dt.timedelta(days=1)
    return last is None or last < latest_slot


async def daily_purge(uow_factory: UnitOfWorkFactory, files: MediaFiles, *, now: dt.datetime,
                      retention_days: int) -> PurgeCounts | None:
    """The routine's step: the purge when it is due, else nothing."""
    async with uow_factory() as uow:
        last = await uow.retention.last_purge_at()
    if not purge_due(now, last):
        return None
    return await purge(uow_factory, files, now=now, retention_days=retention_days, dry_run=False)
