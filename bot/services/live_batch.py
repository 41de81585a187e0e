"""Live-location moves in batches. A person sharing a live location sends a move a minute or so; a
province of them sends thousands a second, and one transaction per move (five round trips) cannot keep
up. `ingest_moves` stores a burst of moves in one transaction: the update keys in one INSERT (a
redelivered move is dropped), the senders in one SELECT, the fixes in one INSERT. A move never gets a
reply, so nothing else of the conversation is needed. `LiveBatcher` gathers the moves that arrive
together (concurrent webhook calls, a long-polling batch) and answers each caller only after the batch
is committed, so an update is still stored before it is acknowledged."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

from bot.domain.schedule import local_date
from bot.messages import Inbound
from bot.ports import Clock, UnitOfWorkFactory
from bot.services.presence import usable_accuracy, valid_coordinates


def is_move(inbound: Inbound) -> bool:
    """A live location's later position (Telegram edited_message): what the batch path takes."""
    return inbound.location is not None and inbound.location.is_update


async def ingest_moves(uow_factory: UnitOfWorkFactory, moves: Sequence[Inbound], now: dt.datetime) -> int:
    """Store the moves (all from one channel or several) in one transaction; the number of fixes stored.
    Moves of strangers, invalid positions and redeliveries are dropped, as the one-by-one path does."""
    if not moves:
        return 0
    async with uow_factory() as uow:
        fresh = await uow.live.first_times([m.event_key for m in moves], now)
        actors = {}
        for channel in {m.channel for m in moves}:
            found = await uow.live.account_actors(channel, [m.sender for m in moves if m.channel == channel])
            actors |= {(channel, sender): actor for sender, actor in found.items()}
        fixes = []
        for move in moves:
            actor = actors.get((move.channel, move.sender))
            loc = move.location
            if move.event_key not in fresh or actor is None or not valid_coordinates(loc.lat, loc.lon):
                continue
            fresh.discard(move.event_key)  # the same update twice in one batch: stored once
            fixes.append({"person_id": actor.person_id, "day": local_date(move.at, actor.timezone), "lat": loc.lat,
                          "lon": loc.lon, "accuracy_m": usable_accuracy(loc.accuracy_m), "at": move.at, "live": True,
                          "live_key": loc.live_key,
                          # Telegram's edit without live_period: sharing stopped, the live location ends now.
                          "live_until": move.at if loc.stopped else None})
        await uow.live.add_fixes(fixes)
        await uow.commit()
    return len(fixes)


class LiveBatcher:
    """Group commit: a move arriving while no batch is being stored is stored at once (no wait, so a
    channel that hands moves over one at a time, like long polling, costs what it did); the moves that
    arrive while a batch is being stored wait and go together in the next one (at most `max_size`).
    Each `add` returns once its move is committed, or raises what its batch raised."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, *, max_size: int = 500):
        self.uow_factory, self.clock, self.max_size = uow_factory, clock, max_size
        self._pending: list[tuple[Inbound, asyncio.Future]] = []
        self._storing: asyncio.Task | None = None

    async def add(self, move: Inbound) -> None:
        done = asyncio.get_running_loop().create_future()
        self._pending.append((move, done))
        if self._storing is None:
            self._start()
        await done

    def _start(self) -> None:
        self._storing = asyncio.get_running_loop().create_task(self._store())
        self._storing.add_done_callback(self._next)

    def _next(self, _task: asyncio.Task) -> None:
        self._storing = None
        if self._pending:
            self._start()

    async def _store(self) -> None:
        # Taken when the task runs, not when it was created: the moves added meanwhile come along.
        batch, self._pending = self._pending[: self.max_size], self._pending[self.max_size :]
        try:
            await ingest_moves(self.uow_factory, [move for move, _ in batch], self.clock.now())
        except Exception as exc:  # noqa: BLE001 - every caller gets the failure (webhook: 500, redelivery)
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        for _, done in batch:
            if not done.done():
                done.set_result(None)
