"""Everything stored about one person, for `apel person export` (UU PDP access) and `apel person erase`
(erasure of a deactivated person's personal data, keeping the counts the unit's recaps are made of)."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.html import esc
from bot.domain.org_terms import Channel
from storage.day_tables import ConversationState, Evidence, LeaveRequest, LocationFix, Report, Task, WorkDay
from storage.outbox_tables import OutboxMessage
from storage.presence_tables import DayFlag, PresenceCheck, PresenceSummary
from storage.tables import AuditEntry, ChannelAccount, Invite, OrgMembership, OrgUnit, Person, PlhDesignation
from storage.whatsapp_tables import WhatsAppChat, WhatsAppHeld, WhatsAppSent

# Table name in the export -> the table, each with a person_id column.
PER_PERSON = {
    "work_days": WorkDay, "tasks": Task, "reports": Report, "leave_requests": LeaveRequest, "flags": DayFlag,
    "presence_summaries": PresenceSummary, "presence_checks": PresenceCheck, "location_fixes": LocationFix,
    "evidence": Evidence, "channel_accounts": ChannelAccount, "conversation_state": ConversationState,
    "messages": OutboxMessage, "whatsapp_held": WhatsAppHeld, "whatsapp_sent": WhatsAppSent,
}


def _outbox_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # as bot/outbox/codec.py writes it


def _held_json(data) -> str:
    return json.dumps(data, ensure_ascii=False)  # as storage/whatsapp_store.py writes it


def _replace_in_strings(data, change):
    if isinstance(data, str):
        return change(data)
    if isinstance(data, list):
        return [_replace_in_strings(item, change) for item in data]
    if isinstance(data, dict):
        return {key: _replace_in_strings(value, change) for key, value in data.items()}
    return data


def _plain(row) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for k, v in row.model_dump().items()}


class SqlPersonDataRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def find(self, nip: str) -> tuple[int, bool, dt.datetime | None] | None:
        """(id, active, erased_at) of the person with that NIP."""
        row = (await self.session.execute(
            select(Person.id, Person.active, Person.erased_at).where(Person.nip == nip)
        )).first()
        return (row[0], row[1], row[2]) if row else None

    async def export(self, person_id: int) -> dict:
        person = await self.session.get(Person, person_id)
        unit = await self.session.get(OrgUnit, person.unit_id)
        data: dict = {"person": {**_plain(person), "unit": unit.name if unit else None}}
        for name, table in PER_PERSON.items():
            rows = await self.session.scalars(select(table).where(table.person_id == person_id))
            data[name] = [_plain(r) for r in rows]
        # Their WhatsApp chats (phone number, the 24-hour window, the last numbered menu), by their identities.
        chats = await self.session.scalars(select(WhatsAppChat).where(
            WhatsAppChat.external_id.in_(self._whatsapp_ids(person_id))).order_by(WhatsAppChat.id))
        data["whatsapp_chats"] = [_plain(c) for c in chats]
        # The units they were in and when they were active (what the month export counts their days by).
        memberships = await self.session.execute(
            select(OrgMembership, OrgUnit.name).join(OrgUnit, OrgMembership.unit_id == OrgUnit.id)
            .where(OrgMembership.person_id == person_id).order_by(OrgMembership.valid_from, OrgMembership.id))
        data["org_memberships"] = [{**_plain(m), "unit": name} for m, name in memberships]
        # Whom they stood in for as Plh, and who stood in for them.
        designations = await self.session.scalars(select(PlhDesignation).where(or_(
            PlhDesignation.official_id == person_id, PlhDesignation.plh_id == person_id)).order_by(PlhDesignation.id))
        data["plh_designations"] = [_plain(d) for d in designations]
        invites = await self.session.scalars(select(Invite).where(Invite.person_id == person_id))
        # Invite metadata only: a code's hash is of no use to the person and is never handed out.
        data["invites"] = [{k: v for k, v in _plain(i).items() if k != "code_hash"} for i in invites]
        data["audit_log"] = [_plain(a) for a in await self._audit_about(person_id, person.nip)]
        return data

    async def _audit_about(self, person_id: int, nip: str) -> list[AuditEntry]:
        """What they did, and what was done about them: entries naming their NIP or their id (a home approved,
        a leave decided, a report reviewed, a NIP corrected, a Plh designated). Matched in SQL, as `AuditRepository.record` writes
        details (json.dumps: `"person_id": 12,` or `"person_id": 12}`): a province's log holds millions of
        other people's entries, which an export must not load."""
        pid = int(person_id)
        rows = await self.session.scalars(
            select(AuditEntry)
            .where(or_(AuditEntry.actor == f"person:{pid}", AuditEntry.detail.contains(nip),
                       *(AuditEntry.detail.contains(f'"{key}": {pid}{end}')
                         for key in ("person_id", "official_id", "plh_id") for end in (",", "}"))))
            .order_by(AuditEntry.id)
        )
        return list(rows)

    @staticmethod
    def _whatsapp_ids(person_id: int):
        return select(ChannelAccount.external_id).where(ChannelAccount.person_id == person_id,
                                                        ChannelAccount.channel == Channel.WHATSAPP.value)

    async def evidence_files(self, person_id: int) -> list[tuple[int, str | None, str | None, str | None, str | None]]:
        """(id, filename, original path or None once purged, derivative path, thumbnail path) per evidence."""
        rows = await self.session.execute(
            select(Evidence.id, Evidence.filename, Evidence.path, Evidence.original_purged_at,
                   Evidence.derivative_path, Evidence.thumb_path)
            .where(Evidence.person_id == person_id).order_by(Evidence.id)
        )
        return [(i, name, None if purged else path, derivative, thumb)
                for i, name, path, purged, derivative, thumb in rows]

    async def shared_paths(self, person_id: int, paths: list[str]) -> set[str]:
        """Files (content-addressed) that other people's evidence also points at: they stay."""
        if not paths:
            return set()
        found: set[str] = set()
        for column in (Evidence.path, Evidence.derivative_path, Evidence.thumb_path):
            rows = await self.session.scalars(
                select(column).distinct().where(Evidence.person_id != person_id, column.in_(paths))
            )
            found.update(rows)
        return found

    async def _redact_copies(self, person_id: int, spelled: dict[str, str]) -> None:
        """Others' messages that name them — a supervisor's digest, a leave notice, kept sent for up to 14 days or
        held for a closed WhatsApp window — get the erased name and NIP instead, as whole words in their texts and
        button labels. The rows stay: their keys keep a step from being sent twice."""
        words = {old: new for old, new in spelled.items() if old.strip()}
        words |= {esc(old): new for old, new in words.items()}  # as the HTML texts spell them
        longest_first = sorted(words, key=len, reverse=True)
        pattern = re.compile("|".join(rf"(?<!\w){re.escape(old)}(?!\w)" for old in longest_first))
        needles = [json.dumps(old, ensure_ascii=False)[1:-1] for old in words]
        for table, dumps in ((OutboxMessage, _outbox_json), (WhatsAppHeld, _held_json)):
            rows = await self.session.execute(select(table.id, table.payload).where(
                table.person_id.is_distinct_from(person_id), or_(*(table.payload.contains(n) for n in needles))))
            for row_id, payload in rows.all():
                redacted = _replace_in_strings(json.loads(payload), lambda text: pattern.sub(
                    lambda m: words[m.group(0)], text))
                await self.session.execute(update(table).where(table.id == row_id).values(payload=dumps(redacted)))

    async def erase(self, person_id: int, at: dt.datetime) -> None:
        """Personal data out; modes, statuses, lateness, counts and hashes stay, and so do their memberships
        (unit ids and moments, like `person.unit_id`): without them the unit's past recaps would recount the
        erased person's days in their last unit."""
        p = person_id
        # The messages made for them (copies of texts, held content, receipts) and their WhatsApp chats
        # (phone number, window, menu), found by their identities before those are blanked below.
        await self.session.execute(delete(WhatsAppChat).where(WhatsAppChat.external_id.in_(self._whatsapp_ids(p))))
        for table in (OutboxMessage, WhatsAppHeld, WhatsAppSent):
            await self.session.execute(delete(table).where(table.person_id == p))
        # An admin's override of their day is logged under their NIP: the log must not give it back.
        name, nip = (await self.session.execute(select(Person.name, Person.nip).where(Person.id == p))).one()
        await self._redact_copies(p, {name: f"Dihapus {p}", nip: f"X{p:017d}"})
        await self.session.execute(update(AuditEntry).where(AuditEntry.detail.contains(nip)).values(
            detail=func.replace(AuditEntry.detail, nip, f"X{p:017d}")))
        # The position goes too: a post held by one person ("Kepala Seksi …") names them as surely as a name;
        # so does the rank, where one person in the unit holds it (its head's echelon).
        await self.session.execute(update(Person).where(Person.id == p).values(
            name=f"Dihapus {p}", nip=f"X{p:017d}", position="", rank=None, phone=None, language=None, home_lat=None, home_lon=None,
            home_radius_m=None, home_pending_lat=None, home_pending_lon=None, home_pending_at=None,
            erased_at=at, updated_at=at))
        await self.session.execute(update(ChannelAccount).where(ChannelAccount.person_id == p,
                                                                ChannelAccount.unlinked_at.is_(None))
                                   .values(unlinked_at=at))
        await self.session.execute(update(ChannelAccount).where(ChannelAccount.person_id == p).values(external_id=""))
        await self.session.execute(update(Invite).where(Invite.person_id == p, Invite.used_at.is_(None),
                                                        Invite.revoked_at.is_(None)).values(revoked_at=at))
        await self.session.execute(delete(ConversationState).where(ConversationState.person_id == p))
        await self.session.execute(delete(LocationFix).where(LocationFix.person_id == p))
        await self.session.execute(update(Evidence).where(Evidence.person_id == p).values(
            filename=None, caption=None, thumb_path=None, derivative_path=None, taken_at=None,
            original_purged_at=at))
        await self.session.execute(update(Report).where(Report.person_id == p).values(
            summary=None, task_lines="[]", review_note=None))
        await self.session.execute(update(Task).where(Task.person_id == p).values(blocked_reason=None))
        await self.session.execute(update(LeaveRequest).where(LeaveRequest.person_id == p).values(reason="", refusal_reason=None))
        await self.session.execute(update(WorkDay).where(WorkDay.person_id == p).values(reason=None))
        # What an approved leave overwrote keeps the days' reasons (an earlier leave's, an override's) for a
        # cancellation to give back: the modes stay, the words go.
        replaced = await self.session.execute(select(LeaveRequest.id, LeaveRequest.replaced_modes).where(
            LeaveRequest.person_id == p, LeaveRequest.replaced_modes.is_not(None)))
        for leave_id, modes in replaced.all():
            kept = {day: [mode, source, None] for day, (mode, source, *_) in json.loads(modes).items()}
            await self.session.execute(update(LeaveRequest).where(LeaveRequest.id == leave_id)
                                       .values(replaced_modes=json.dumps(kept)))
        await self.session.execute(update(DayFlag).where(DayFlag.person_id == p).values(detail="{}"))
        await self.session.execute(update(PresenceCheck).where(PresenceCheck.person_id == p).values(
            lat=None, lon=None, accuracy_m=None))
