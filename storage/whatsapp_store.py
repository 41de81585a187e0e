"""The WhatsApp adapter's own rows (storage/whatsapp_tables.py): windows, numbered menus, held content,
statuses. Each method is its own short transaction: the adapter calls it around a core turn, never inside."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.conflict_insert import dialect_insert
from storage.database import make_session_factory
from storage.tables import Person
from storage.whatsapp_tables import WhatsAppChat, WhatsAppHeld, WhatsAppSent

# Statuses only move forward: a late "delivered" callback must not undo "read".
# Held content claimed for release: (held row id, person, kind, payload, held at).
HeldRow = tuple[int, int | None, str | None, dict, dt.datetime]
STATUS_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


class WhatsAppStore:
    def __init__(self, engine: AsyncEngine):
        self._sessions = make_session_factory(engine)

    async def _ensure_chat(self, session, external_id: str) -> None:
        await session.execute(dialect_insert(session)(WhatsAppChat).values(external_id=external_id).on_conflict_do_nothing())

    async def saw_inbound(self, external_id: str, wa_id: str | None, at: dt.datetime) -> None:
        """The person wrote: their 24-hour window is open from `at` (never moved backwards)."""
        async with self._sessions() as session:
            await self._ensure_chat(session, external_id)
            row = (await session.execute(select(WhatsAppChat).where(WhatsAppChat.external_id == external_id))).scalar_one()
            if row.last_inbound_at is None or row.last_inbound_at < at:
                row.last_inbound_at = at
            if wa_id:
                row.wa_id = wa_id
            await session.commit()

    async def last_inbound(self, external_id: str) -> dt.datetime | None:
        async with self._sessions() as session:
            return (await session.execute(
                select(WhatsAppChat.last_inbound_at).where(WhatsAppChat.external_id == external_id))).scalar()

    async def close_window(self, external_id: str) -> None:
        """Meta said 131047: whatever we thought, the window is closed."""
        async with self._sessions() as session:
            await session.execute(update(WhatsAppChat).where(WhatsAppChat.external_id == external_id)
                                  .values(last_inbound_at=None))
            await session.commit()

    async def set_menu(self, external_id: str, actions: list[str] | None, at: dt.datetime, *,
                       turn: str | None = None) -> None:
        """`turn`: the inbound whose answer showed the menu, so the turn's next list can join it."""
        stored = json.dumps({"turn": turn, "entries": actions}) if actions else None
        async with self._sessions() as session:
            await self._ensure_chat(session, external_id)
            await session.execute(update(WhatsAppChat).where(WhatsAppChat.external_id == external_id).values(
                menu=stored, menu_at=at if actions else None))
            await session.commit()

    async def menu(self, external_id: str) -> tuple[list[str], dt.datetime | None]:
        """The chat's last numbered menu and when it was shown ([], None without one)."""
        entries, at, _turn = await self.menu_of_turn(external_id)
        return entries, at

    async def menu_of_turn(self, external_id: str) -> tuple[list[str], dt.datetime | None, str | None]:
        """The chat's last numbered menu, when it was shown and the turn that showed it."""
        async with self._sessions() as session:
            row = (await session.execute(select(WhatsAppChat.menu, WhatsAppChat.menu_at)
                                         .where(WhatsAppChat.external_id == external_id))).first()
        if row is None or not row.menu:
            return [], None, None
        stored = json.loads(row.menu)
        if isinstance(stored, list):  # stored before menus named their turn
            return stored, row.menu_at, None
        return stored["entries"], row.menu_at, stored["turn"]

    async def hold(self, external_id: str, person_id: int | None, kind: str | None, payload: dict,
                   at: dt.datetime, *, template_unless_since: dt.datetime) -> bool:
        """Holds content; True when no content of this kind was held for the chat since the given time,
        i.e. a template should ask the person to open their window (one per kind, not one per message)."""
        async with self._sessions() as session:
            same_kind = WhatsAppHeld.kind.is_(None) if kind is None else WhatsAppHeld.kind == kind
            earlier = (await session.execute(select(WhatsAppHeld.id).where(
                WhatsAppHeld.external_id == external_id, WhatsAppHeld.released_at.is_(None), same_kind,
                WhatsAppHeld.held_at >= template_unless_since).limit(1))).scalar()
            session.add(WhatsAppHeld(external_id=external_id, person_id=person_id, kind=kind,
                                     payload=json.dumps(payload, ensure_ascii=False), held_at=at))
            await session.commit()
        return earlier is None

    async def release_held(self, external_id: str, at: dt.datetime) -> list[HeldRow]:
        """Claims the held content of a chat, oldest first; a second caller gets nothing (no double send)."""
        async with self._sessions() as session:
            claimed = await self.claim_held(session, external_id, at)
            await session.commit()
        return claimed

    @staticmethod
    async def claim_held(session, external_id: str, at: dt.datetime) -> list[HeldRow]:
        """The held content of a chat marked released in `session`'s transaction (the caller commits), oldest
        first, as (held row id, person, kind, payload, held at): a caller that queues it in the outbox in the same
        transaction loses nothing to a crash, and a second caller gets nothing (no double send)."""
        rows = (await session.execute(
            select(WhatsAppHeld).where(WhatsAppHeld.external_id == external_id, WhatsAppHeld.released_at.is_(None))
            .order_by(WhatsAppHeld.id))).scalars().all()
        claimed = []
        for row in rows:
            done = await session.execute(update(WhatsAppHeld).where(
                WhatsAppHeld.id == row.id, WhatsAppHeld.released_at.is_(None)).values(released_at=at))
            if done.rowcount == 1:
                claimed.append((row.id, row.person_id, row.kind, json.loads(row.payload), row.held_at))
        return claimed

    async def record_sent(self, wamid: str, external_id: str, person_id: int | None, kind: str | None,
                          at: dt.datetime) -> None:
        async with self._sessions() as session:
            await session.execute(dialect_insert(session)(WhatsAppSent).values(
                wamid=wamid, external_id=external_id, person_id=person_id, kind=kind, sent_at=at,
                status="accepted").on_conflict_do_nothing())
            await session.commit()

    async def record_status(self, wamid: str, status: str, at: dt.datetime, error_code: int | None) -> bool:
        """A status callback; False when the message is not ours or the status is older than the stored one."""
        async with self._sessions() as session:
            row = (await session.execute(select(WhatsAppSent).where(WhatsAppSent.wamid == wamid))).scalar()
            if row is None or STATUS_RANK.get(status, -1) <= STATUS_RANK.get(row.status, 0):
                return False
            row.status, row.status_at, row.error_code = status, at, error_code
            await session.commit()
            return True

    async def sent(self, wamid: str) -> WhatsAppSent | None:
        async with self._sessions() as session:
            return (await session.execute(select(WhatsAppSent).where(WhatsAppSent.wamid == wamid))).scalar()

    async def person_name(self, person_id: int | None) -> str | None:
        if person_id is None:
            return None
        async with self._sessions() as session:
            return (await session.execute(select(Person.name).where(Person.id == person_id))).scalar()
