"""Use case: hand out personal onboarding codes, one per active person; a new code revokes the old."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from bot.clock import iso_utc
from bot.domain.invites import hash_code, invite_link, new_code
from bot.domain.org_terms import Channel
from bot.ports import Clock, NewInvite, UnitOfWork, UnitOfWorkFactory
from bot.services.errors import ServiceError
from bot.services.org_directory import units_under

CHUNK = 1000  # people per round of revoke and insert: what a progress bar advances by


@dataclass(frozen=True)
class IssuedInvite:
    nip: str
    name: str
    unit: str
    channel: Channel
    code: str
    link: str
    expires_at: dt.datetime
    timezone: str  # the person's unit's, for showing expires_at to people


@dataclass(frozen=True)
class LinkSettings:
    telegram_username: str | None
    whatsapp_number: str | None


async def issue_invites(
    uow_factory: UnitOfWorkFactory,
    *,
    clock: Clock,
    channel: Channel,
    unit: str | None,
    ttl: dt.timedelta,
    links: LinkSettings,
    actor: str,
) -> list[IssuedInvite]:
    async with uow_factory() as uow:
        issued = await issue_into(uow, now=clock.now(), channel=channel, unit=unit, ttl=ttl, links=links, actor=actor)
        await uow.commit()
    return issued


async def issue_into(
    uow: UnitOfWork,
    *,
    now: dt.datetime,
    channel: Channel,
    unit: str | None,
    ttl: dt.timedelta,
    links: LinkSettings,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[IssuedInvite]:
    """Invites inside an open unit of work (the caller commits): the CLI and the admin chat share it.
    `progress(done, total)`: people done so far, after each chunk of them (a province's take a while)."""
    if channel is Channel.TELEGRAM and not links.telegram_username:
        raise ServiceError("invite.needs_setting", setting="TELEGRAM_BOT_USERNAME")
    if channel is Channel.WHATSAPP and not links.whatsapp_number:
        raise ServiceError("invite.needs_setting", setting="WHATSAPP_NUMBER")
    expires = now + ttl
    units = await units_under(uow, unit)
    zones = {u.name: u.timezone for u in (await uow.org.stored_units()).values()}
    people = await uow.org.list_people(units, include_inactive=False)
    issued = []
    if progress:
        progress(0, len(people))
    for start in range(0, len(people), CHUNK):
        chunk = people[start : start + CHUNK]
        await uow.invites.revoke_open([p.id for p in chunk], channel, now)
        rows = []
        for person in chunk:
            code = new_code()
            rows.append(NewInvite(person.id, channel, hash_code(code), now, expires))
            link = invite_link(
                channel, code, telegram_username=links.telegram_username, whatsapp_number=links.whatsapp_number
            )
            issued.append(IssuedInvite(person.nip, person.name, person.unit, channel, code, link, expires,
                                       zones[person.unit]))
        await uow.invites.add_many(rows)
        if progress:
            progress(len(issued), len(people))
    # The audit keeps who got a code, never the code.
    await uow.audit.record(now, actor, "invites_issue", {"channel": channel.value, "unit": unit, "count": len(issued)})
    return issued


INVITE_COLUMNS = ("nip", "name", "unit", "channel", "code", "link", "expires_at")


def invites_csv(issued: list[IssuedInvite]) -> bytes:
    """The file to hand out (`apel invite --out`, `/undang`): the only place the codes exist."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(INVITE_COLUMNS)
    for i in issued:
        writer.writerow([i.nip, i.name, i.unit, i.channel.value, i.code, i.link, iso_utc(i.expires_at)])
    return buffer.getvalue().encode("utf-8")
