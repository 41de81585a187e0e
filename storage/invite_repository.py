"""Invites and the chat accounts they link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.org_terms import Channel
from bot.ports import InviteRecord, LinkedPerson, NewInvite
from storage.tables import ChannelAccount, Invite, OrgUnit, Person


class SqlInviteRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def revoke_open(self, person_ids: Sequence[int], channel: Channel, now: dt.datetime) -> int:
        revoked = 0
        ids = list(person_ids)
        for start in range(0, len(ids), 1000):
            result = await self.session.execute(
                update(Invite)
                .where(
                    Invite.person_id.in_(ids[start : start + 1000]),
                    Invite.channel == channel.value,
                    Invite.used_at.is_(None),
                    Invite.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
            revoked += result.rowcount or 0
        return revoked

    async def add_many(self, invites: Sequence[NewInvite]) -> None:
        if invites:
            await self.session.execute(
                insert(Invite),
                [
                    {
                        "person_id": i.person_id,
                        "channel": i.channel.value,
                        "code_hash": i.code_hash,
                        "created_at": i.created_at,
                        "expires_at": i.expires_at,
                    }
                    for i in invites
                ],
            )

    async def by_hash(self, code_hash: str) -> InviteRecord | None:
        row = (await self.session.execute(select(Invite).where(Invite.code_hash == code_hash))).scalar_one_or_none()
        if row is None:
            return None
        return InviteRecord(row.id, row.person_id, Channel(row.channel), row.expires_at, row.used_at, row.revoked_at)

    async def mark_used(self, invite_id: int, now: dt.datetime) -> bool:
        """True when this call used the invite; False when another redemption got there first."""
        result = await self.session.execute(
            update(Invite)
            .where(Invite.id == invite_id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
            .values(used_at=now)
        )
        return result.rowcount == 1


class SqlAccountRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def link(self, person_id: int, channel: Channel, external_id: str, now: dt.datetime) -> str | None:
        """Link the chat identity to the person, ending any earlier link of either side on that channel;
        the person's earlier account on that channel, when it was another one (to be told)."""
        ended = await self.session.execute(
            update(ChannelAccount)
            .where(
                ChannelAccount.channel == channel.value,
                ChannelAccount.unlinked_at.is_(None),
                (ChannelAccount.person_id == person_id) | (ChannelAccount.external_id == external_id),
            )
            .values(unlinked_at=now)
            .returning(ChannelAccount.person_id, ChannelAccount.external_id)
        )
        earlier = next((r.external_id for r in ended if r.person_id == person_id and r.external_id != external_id), None)
        await self.session.execute(
            insert(ChannelAccount).values(
                person_id=person_id, channel=channel.value, external_id=external_id, linked_at=now
            )
        )
        return earlier

    async def unlink_channel(self, channel: Channel, now: dt.datetime) -> int:
        """End every link on that channel; how many there were."""
        ended = await self.session.execute(
            update(ChannelAccount)
            .where(ChannelAccount.channel == channel.value, ChannelAccount.unlinked_at.is_(None))
            .values(unlinked_at=now)
        )
        return ended.rowcount

    async def person_for(self, channel: Channel, external_id: str) -> LinkedPerson | None:
        row = (
            await self.session.execute(
                select(Person.id, Person.nip, Person.name, OrgUnit.name, Person.language, Person.active)
                .join(ChannelAccount, ChannelAccount.person_id == Person.id)
                .join(OrgUnit, Person.unit_id == OrgUnit.id)
                .where(
                    ChannelAccount.channel == channel.value,
                    ChannelAccount.external_id == external_id,
                    ChannelAccount.unlinked_at.is_(None),
                )
            )
        ).first()
        return LinkedPerson(*row) if row else None
