"""Use case: a person opens their invite; the chat identity is linked to them.

Every refusal looks the same from outside (wrong, used, revoked or expired code, someone no longer
active), so a stranger learns nothing about who exists."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.invites import InviteState, hash_code, invite_state, looks_like_code
from bot.domain.org_terms import Channel
from bot.ports import Clock, LinkedPerson, UnitOfWorkFactory


@dataclass(frozen=True)
class Redemption:
    person: LinkedPerson | None
    reason: str  # why, for the log and the tests; never shown to the person

    @property
    def linked(self) -> bool:
        return self.person is not None


async def redeem_invite(
    uow_factory: UnitOfWorkFactory, *, clock: Clock, channel: Channel, external_id: str, code: str
) -> Redemption:
    if not looks_like_code(code):
        return Redemption(None, "malformed")
    now = clock.now()
    async with uow_factory() as uow:
        invite = await uow.invites.by_hash(hash_code(code))
        if invite is None:
            return Redemption(None, "unknown")
        state = invite_state(invite.expires_at, invite.used_at, invite.revoked_at, now)
        if state is not InviteState.VALID:
            return Redemption(None, state.value)
        if invite.channel is not channel:
            return Redemption(None, "other_channel")
        person = await uow.org.person_by_id(invite.person_id)
        if person is None or not person.active:
            return Redemption(None, "inactive")
        if not await uow.invites.mark_used(invite.id, now):
            return Redemption(None, InviteState.USED.value)
        await uow.accounts.link(person.person_id, channel, external_id, now)
        await uow.commit()
    return Redemption(person, "linked")
