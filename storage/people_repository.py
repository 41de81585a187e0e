"""People as the conversation needs them: who is this chat, who reports to whom, where to reach them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.day_records import Actor, ActorInState, Address
from bot.domain.org_terms import Channel
from storage.day_repository import ids_in
from storage.day_tables import ConversationState
from storage.tables import ChannelAccount, OrgUnit, Person

_Report = aliased(Person)
_Other = aliased(ChannelAccount)

# The moment that ranks a person's accounts for the routine: chosen by writing from it, else linked.
_RANK = func.coalesce(ChannelAccount.chosen_at, ChannelAccount.linked_at)


def _has_reports():
    return exists().where(and_(_Report.supervisor_id == Person.id, _Report.active))


def _actor_query():
    has_reports = _has_reports().label("has_reports")
    return select(
        Person.id,
        Person.nip,
        Person.name,
        OrgUnit.name.label("unit"),
        OrgUnit.id.label("unit_id"),
        OrgUnit.timezone,
        Person.language,
        Person.role,
        Person.supervisor_id,
        has_reports,
    ).join(OrgUnit, Person.unit_id == OrgUnit.id)


def _linked_actor_query(external_ids):
    """Active people by a linked chat identity: parameter `channel`, and `external_ids` says which."""
    return (
        _actor_query()
        .join(ChannelAccount, ChannelAccount.person_id == Person.id)
        .where(ChannelAccount.channel == bindparam("channel"), external_ids, ChannelAccount.unlinked_at.is_(None),
               Person.active)
    )


# Built once, with parameters: every inbound event runs one of them (BENCHMARKS.md, "Update ingest").
_ACCOUNT_ACTOR = (
    _linked_actor_query(ChannelAccount.external_id == bindparam("external_id"))
    .add_columns(ConversationState.state.label("state"), ConversationState.data.label("state_data"),
                 ChannelAccount.unreachable_at.label("unreachable_at"),
                 exists().where(_Other.person_id == ChannelAccount.person_id, _Other.id != ChannelAccount.id,
                                _Other.unlinked_at.is_(None), _Other.unreachable_at.is_(None),
                                func.coalesce(_Other.chosen_at, _Other.linked_at) > _RANK).label("behind"))
    .outerjoin(ConversationState, ConversationState.person_id == Person.id)
)
ACCOUNT_ACTORS = (
    _linked_actor_query(ChannelAccount.external_id.in_(bindparam("external_ids", expanding=True)))
    .add_columns(ChannelAccount.external_id)
)


def _actor(row) -> Actor:
    return Actor(
        person_id=row.id,
        nip=row.nip,
        name=row.name,
        unit=row.unit,
        unit_id=row.unit_id,
        timezone=row.timezone,
        language=row.language,
        role=row.role,
        supervisor_id=row.supervisor_id,
        has_reports=bool(row.has_reports),
    )


class SqlPeopleRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def actor(self, person_id: int) -> Actor | None:
        row = (await self.session.execute(_actor_query().where(Person.id == person_id, Person.active))).first()
        return _actor(row) if row else None

    async def account_actor(self, channel: Channel, external_id: str) -> ActorInState | None:
        """The active person behind a linked chat identity and the conversation state they are in, in one
        query: every inbound event asks it (a live location sends one a minute per person), and knowing the
        state here spares a command its DELETE and a photo or text its SELECT when there is none."""
        params = {"channel": channel.value, "external_id": external_id}
        row = (await self.session.execute(_ACCOUNT_ACTOR, params)).first()
        if row is None:
            return None
        return ActorInState(_actor(row), (row.state, json.loads(row.state_data)) if row.state is not None else None,
                            unreachable=row.unreachable_at is not None, behind=bool(row.behind))

    async def actors(self, person_ids: Sequence[int], *, inactive: bool = False) -> dict[int, Actor]:
        """The active ones of these people; `inactive`: also those deactivated since (a past day's people,
        read as that day had them, `digest_query.people_of_day`)."""
        ids = list(person_ids)
        if not ids:
            return {}
        query = _actor_query().where(ids_in(self.session, Person.id, ids))
        rows = await self.session.execute(query if inactive else query.where(Person.active))
        return {r.id: _actor(r) for r in rows}

    async def direct_reports(self, person_id: int) -> list[Actor]:
        rows = await self.session.execute(
            _actor_query().where(Person.supervisor_id == person_id, Person.active).order_by(Person.name)
        )
        return [_actor(r) for r in rows]

    async def named(self, text: str, limit: int) -> list[Actor]:
        """Active people whose name holds `text`, in any case (Unicode's: "ömer" finds "Ömer"), by name; at most
        `limit`. For an admin naming someone in chat: a scan of the names, not a query of the routine.
        SQLite folds only ASCII case (and PostgreSQL's by the database's locale), so the database narrows with
        a pattern where each non-ASCII character of `text` is any one character, and `casefold` decides."""
        pattern = "".join("_" if not c.isascii() else "/" + c if c in "/%_" else c for c in text)
        query = (select(Person.id, Person.name)
                 .where(Person.active, Person.name.ilike(f"%{pattern}%", escape="/"))
                 .order_by(Person.name, Person.id))
        # An ASCII `text` the pattern matches exactly (folding other letters only adds matches elsewhere in a
        # name), so the database may stop at `limit`; otherwise its rows are candidates, all read.
        rows = (await self.session.execute(query.limit(limit) if text.isascii() else query)).all()
        wanted = text.casefold()
        ids = [r.id for r in rows if wanted in r.name.casefold()][:limit]
        if not ids:
            return []
        found = await self.session.execute(_actor_query().where(Person.id.in_(ids)).order_by(Person.name, Person.id))
        return [_actor(r) for r in found]

    async def subtree(self, person_id: int) -> list[Actor]:
        """Everyone below the person, level by level: one query per level, not per person."""
        found: list[Actor] = []
        level = [person_id]
        seen = {person_id}
        while level:
            rows = await self.session.execute(
                _actor_query().where(Person.supervisor_id.in_(level), Person.active).order_by(Person.name)
            )
            batch = [_actor(r) for r in rows if r.id not in seen]
            seen.update(a.person_id for a in batch)
            found.extend(batch)
            level = [a.person_id for a in batch]
        return found

    async def chain(self, person_id: int) -> list[int]:
        """The person's superiors, nearest first."""
        chain: list[int] = []
        current = person_id
        while True:
            boss = (await self.session.execute(select(Person.supervisor_id).where(Person.id == current))).scalar()
            if boss is None or boss in chain or boss == person_id:
                return chain
            chain.append(boss)
            current = boss

    async def set_language(self, person_id: int, language: str) -> None:
        await self.session.execute(update(Person).where(Person.id == person_id).values(language=language))

    async def set_home_pending(self, person_id: int, lat: float, lon: float, at: dt.datetime) -> None:
        await self.session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(home_pending_lat=lat, home_pending_lon=lon, home_pending_at=at)
        )

    async def everyone_in(self, unit_names: set[str] | None) -> list[int]:
        query = select(Person.id).join(OrgUnit, Person.unit_id == OrgUnit.id).where(Person.active)
        if unit_names is not None:
            query = query.where(OrgUnit.name.in_(sorted(unit_names)))
        return list((await self.session.execute(query.order_by(Person.id))).scalars())

    async def addresses(self, person_ids: Sequence[int], *, every: bool = False) -> list[Address]:
        """Where the routine and notices reach each person: the reachable account they chose (wrote from)
        or linked last, one a person, a real channel before the console (a trial's stand-in, whose
        messages reach nobody's phone); `every`: all their reachable accounts."""
        ids = list(person_ids)
        if not ids:
            return []
        rows = await self.session.execute(
            select(ChannelAccount.person_id, ChannelAccount.channel, ChannelAccount.external_id,
                   _RANK.label("rank"), ChannelAccount.id).where(
                ids_in(self.session, ChannelAccount.person_id, ids),
                ChannelAccount.unlinked_at.is_(None),
                ChannelAccount.unreachable_at.is_(None),
            )
        )
        found: dict[int, list] = {}
        for r in rows:
            found.setdefault(r.person_id, []).append(r)
        kept = [r for accounts in found.values()
                for r in (accounts if every else [max(accounts, key=_routine_rank)])]
        return [Address(r.person_id, Channel(r.channel), r.external_id) for r in kept]

    async def inactive_among(self, person_ids: Sequence[int]) -> set[int]:
        """Which of these people an import has deactivated (the sender asks once per batch, not per message)."""
        ids = list(person_ids)
        if not ids:
            return set()
        query = select(Person.id).where(ids_in(self.session, Person.id, ids), Person.active.is_(False))
        return set((await self.session.execute(query)).scalars())

    async def linked_to_deactivated(self, channel: Channel, external_id: str) -> bool:
        """Whether this chat identity is still linked to a person the org chart has since deactivated."""
        query = _linked(select(ChannelAccount.id), channel, external_id).where(Person.active.is_(False)).limit(1)
        return (await self.session.execute(query)).first() is not None

    async def account_person(self, channel: Channel, external_id: str) -> int | None:
        query = _linked(select(ChannelAccount.person_id), channel, external_id).where(Person.active)
        return (await self.session.execute(query)).scalar()

    async def mark_unreachable(self, channel: Channel, external_id: str, at: dt.datetime) -> None:
        await self.session.execute(update(ChannelAccount).where(*_chat(channel, external_id)).values(unreachable_at=at))

    async def choose(self, channel: Channel, external_id: str, at: dt.datetime) -> None:
        """The person wrote from this account: the routine and notices write to it from now on."""
        await self.session.execute(update(ChannelAccount).where(*_chat(channel, external_id)).values(chosen_at=at))

    async def mark_reachable(self, channel: Channel, external_id: str) -> None:
        """The chat wrote again (unblocked the bot): the routine and notices address it again."""
        await self.session.execute(update(ChannelAccount).where(*_chat(channel, external_id)).values(unreachable_at=None))

    async def menu_holders(self, *, language_other_than: str | None = None) -> list[tuple[Actor, Address]]:
        """Supervisors and admins with a linked account: they get a longer command menu; with
        `language_other_than`, also whoever chose a language other than that one (a menu in it). Chosen in SQL:
        a province's staff (most of its 100,000 linked people) are never read."""
        wanted = [Person.role == "admin", _has_reports()]
        if language_other_than is not None:
            wanted.append(and_(Person.language.is_not(None), Person.language != language_other_than))
        rows = await self.session.execute(
            _actor_query()
            .add_columns(ChannelAccount.channel, ChannelAccount.external_id)
            .join(ChannelAccount, ChannelAccount.person_id == Person.id)
            .where(Person.active, ChannelAccount.unlinked_at.is_(None), or_(*wanted))
        )
        return [(_actor(r), Address(r.id, Channel(r.channel), r.external_id)) for r in rows]


def _routine_rank(account) -> tuple:
    return account.channel != Channel.CONSOLE.value, account.rank, account.id


def _chat(channel: Channel, external_id: str) -> tuple:
    """The conditions naming this chat identity's current link."""
    return (ChannelAccount.channel == channel.value, ChannelAccount.external_id == external_id,
            ChannelAccount.unlinked_at.is_(None))


def _linked(query, channel: Channel, external_id: str):
    """`query` over the person this chat identity is linked to now."""
    return query.join(Person, Person.id == ChannelAccount.person_id).where(*_chat(channel, external_id))
