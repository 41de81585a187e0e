"""Use case: a person opens their invite; the chat identity is linked to them.

Every refusal looks the same from outside (wrong, used, revoked or expired code, someone no longer
active), so a stranger learns nothing about who exists."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.invites import InviteState, hash_code, invite_state, looks_like_code
from bot.domain.org_terms import Channel
from bot.ports import Clock, LinkedPerson, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class Redemption:
    person: LinkedPerson | None
    reason: str  # why, for the log and the tests; never shown to the person
    moved_from: str | None = None  # the person's earlier account on this channel, which the link ended

    @property
    def linked(self) -> bool:
        return self.person is not None


async def redeem_invite(
    uow_factory: UnitOfWorkFactory, *, clock: Clock, channel: Channel, external_id: str, code: str
) -> Redemption:
    async with uow_factory() as uow:
        result = await redeem_in(uow, now=clock.now(), channel=channel, external_id=external_id, code=code)
        if result.linked:
            await uow.commit()
    return result


async def redeem_in(uow: UnitOfWork, *, now, channel: Channel, external_id: str, code: str,
                    only_for: int | None = None) -> Redemption:
    """Redemption inside an open unit of work (the caller commits when it linked). `only_for`: a chat
    already linked to that person redeems only that person's codes; another's stays unused for its owner."""
    if not looks_like_code(code):
        return Redemption(None, "malformed")
    invite = await uow.invites.by_hash(hash_code(code))
    if invite is None:
        return Redemption(None, "unknown")
    state = invite_state(invite.expires_at, invite.used_at, invite.revoked_at, now)
    if state is not InviteState.VALID:
        return Redemption(None, state.value)
    if invite.channel is not channel:
        return Redemption(None, "other_channel")
    if only_for is not None and invite.person_id != only_for:
        return Redemption(None, "someone_else")
    person = await uow.org.person_by_id(invite.person_id)
    if person is None or not person.active:
        return Redemption(None, "inactive")
    if not await uow.invites.mark_used(invite.id, now):
        return Redemption(None, InviteState.USED.value)
    moved_from = await uow.accounts.link(person.person_id, channel, external_id, now)
    return Redemption(person, "linked", moved_from)


async def console_login(uow_factory: UnitOfWorkFactory, *, clock: Clock, nip: str) -> LinkedPerson | None:
    """`apel chat --as NIP`: whoever runs the console already holds the database, so no invite is asked;
    the console identity is linked to the active person with that NIP."""
    async with uow_factory() as uow:
        people = await uow.org.list_people(None, include_inactive=False)
        match = next((p for p in people if p.nip == nip.strip()), None)
        if match is None:
            return None
        await uow.accounts.link(match.id, Channel.CONSOLE, f"console:{match.nip}", clock.now())
        await uow.commit()
        return await uow.org.person_by_id(match.id)


async def end_console_trial(uow_factory: UnitOfWorkFactory, *, clock: Clock) -> int:
    """A process serving Telegram or WhatsApp: the console's accounts stop counting, how many there were.
    The console links everyone of a trial database (`make run` without a token), and a person with a
    console account counts as reachable: the routine would 'brief' them to the console (nobody's phone)
    and mark them briefed, so whoever links on a phone later that morning never got the day's briefing,
    and a request to a supervisor with only a console account went nowhere. The console links again
    whoever it speaks as (and everyone, while nobody is linked on a phone)."""
    async with uow_factory() as uow:
        count = await uow.accounts.unlink_channel(Channel.CONSOLE, clock.now())
        await uow.commit()
    return count


async def first_staff_member(uow_factory: UnitOfWorkFactory) -> str | None:
    """The NIP `make run` opens the console as: the first active person who supervises nobody."""
    async with uow_factory() as uow:
        people = await uow.org.list_people(None, include_inactive=False)
    bosses = {p.supervisor_nip for p in people}
    return next((p.nip for p in people if p.nip not in bosses and p.role == "staff"), None)
