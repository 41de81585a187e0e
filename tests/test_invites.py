"""Invites on both databases: personal, hashed, single-use, expiring, revoked when re-issued."""

import datetime as dt
import math

import pytest
from sqlalchemy import select

from bot.domain.invites import CODE_BITS, hash_code, looks_like_code, new_code, normalize_code
from bot.domain.org_terms import Channel
from bot.services.errors import ServiceError
from bot.services.invites import LinkSettings, issue_invites
from bot.services.onboarding import redeem_invite
from storage.tables import Invite
from tests.org_rows import STAF
from tests.test_org_import import run_import
from tests.org_rows import small_office

LINKS = LinkSettings(telegram_username="ApelDinasBot", whatsapp_number="+62 811-0000-1111")
TTL = dt.timedelta(days=14)


async def issue(db, clock, channel=Channel.TELEGRAM, unit=None):
    return await issue_invites(db.uow, clock=clock, channel=channel, unit=unit, ttl=TTL, links=LINKS, actor="test")


async def redeem(db, clock, code, external_id="5001", channel=Channel.TELEGRAM):
    return await redeem_invite(db.uow, clock=clock, channel=channel, external_id=external_id, code=code)


def test_codes_carry_at_least_64_random_bits_and_fit_a_deep_link():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert CODE_BITS >= 64
    sample = next(iter(codes))
    assert len(sample) * math.log2(32) >= 64
    assert all(looks_like_code(c) and c.isalnum() and len(c) <= 64 for c in codes)


def test_codes_read_aloud_with_o_for_zero_still_match():
    code = "0123456789ABCDEF"
    assert normalize_code("o123-4567-89ab-cdef") == code
    assert hash_code("o123 4567 89ab cdef") == hash_code(code)


async def test_one_invite_per_active_person_with_links_and_only_hashes_stored(db, clock):
    await run_import(db, clock, small_office())
    issued = await issue(db, clock)
    assert len(issued) == 5
    first = issued[0]
    assert first.link == f"https://t.me/ApelDinasBot?start={first.code}"
    assert first.expires_at == clock.now() + TTL
    async with db.uow() as uow:
        stored = [(i.code_hash, i.channel) for i in (await uow.session.execute(select(Invite))).scalars()]
    assert {h for h, _ in stored} == {hash_code(i.code) for i in issued}
    assert not any(i.code in h for i in issued for h, _ in stored)


async def test_whatsapp_invites_prefill_the_code_to_the_bot_number(db, clock):
    await run_import(db, clock, small_office())
    issued = await issue(db, clock, channel=Channel.WHATSAPP, unit="Seksi Timur")
    assert {i.nip for i in issued} == {"198504042010012004", STAF}
    assert issued[0].link == f"https://wa.me/6281100001111?text={issued[0].code}"


async def test_a_unit_invites_its_whole_subtree(db, clock):
    await run_import(db, clock, small_office())
    issued = await issue(db, clock, unit="bidang timur")
    assert len(issued) == 3


async def test_an_unknown_unit_is_refused(db, clock):
    await run_import(db, clock, small_office())
    with pytest.raises(ServiceError) as caught:
        await issue(db, clock, unit="Bidang Barat")
    assert caught.value.code == "unit.unknown"


async def test_telegram_invites_need_the_bot_username(db, clock):
    await run_import(db, clock, small_office())
    with pytest.raises(ServiceError) as caught:
        await issue_invites(
            db.uow, clock=clock, channel=Channel.TELEGRAM, unit=None, ttl=TTL,
            links=LinkSettings(None, None), actor="t",
        )
    assert caught.value.params == {"setting": "TELEGRAM_BOT_USERNAME"}


async def test_an_invite_links_the_chat_account_once(db, clock):
    await run_import(db, clock, small_office())
    code = next(i.code for i in await issue(db, clock) if i.nip == STAF)
    first = await redeem(db, clock, code)
    assert first.linked and first.person.nip == STAF and first.person.unit == "Seksi Timur"
    again = await redeem(db, clock, code, external_id="6002")
    assert not again.linked and again.reason == "used"
    async with db.uow() as uow:
        assert (await uow.accounts.person_for(Channel.TELEGRAM, "5001")).nip == STAF
        assert await uow.accounts.person_for(Channel.TELEGRAM, "6002") is None


async def test_an_expired_invite_is_refused(db, clock):
    await run_import(db, clock, small_office())
    code = (await issue(db, clock))[0].code
    clock.advance(days=14)
    result = await redeem(db, clock, code)
    assert not result.linked and result.reason == "expired"


async def test_reissuing_revokes_the_previous_code(db, clock):
    await run_import(db, clock, small_office())
    old = next(i.code for i in await issue(db, clock) if i.nip == STAF)
    new = next(i.code for i in await issue(db, clock) if i.nip == STAF)
    assert (await redeem(db, clock, old)).reason == "revoked"
    assert (await redeem(db, clock, new)).linked


async def test_issuing_tells_its_progress_chunk_by_chunk_and_revokes_every_old_code(db, clock, monkeypatch):
    # A province's invites took a while with nothing on the screen; the CLI's bar is fed from here.
    from bot.services import invites
    from bot.services.invites import issue_into

    await run_import(db, clock, small_office())
    old = {i.nip: i.code for i in await issue(db, clock)}
    monkeypatch.setattr(invites, "CHUNK", 2)
    calls = []
    async with db.uow() as uow:
        issued = await issue_into(uow, now=clock.now(), channel=Channel.TELEGRAM, unit=None, ttl=TTL, links=LINKS,
                                  actor="test", progress=lambda done, total: calls.append((done, total)))
        await uow.commit()
    assert calls == [(0, 5), (2, 5), (4, 5), (5, 5)] and len(issued) == 5
    assert {(await redeem(db, clock, code, external_id=nip)).reason for nip, code in old.items()} == {"revoked"}
    assert [(await redeem(db, clock, i.code, external_id=i.nip)).linked for i in issued] == [True] * 5


async def test_wrong_codes_and_other_channels_are_refused_alike(db, clock):
    await run_import(db, clock, small_office())
    code = (await issue(db, clock))[0].code
    assert (await redeem(db, clock, "hello")).reason == "malformed"
    assert (await redeem(db, clock, new_code())).reason == "unknown"
    assert (await redeem(db, clock, code, channel=Channel.WHATSAPP)).reason == "other_channel"
    assert (await redeem(db, clock, "x" * 16)).reason == "unknown"


async def test_a_deactivated_person_cannot_redeem(db, clock):
    await run_import(db, clock, small_office())
    code = next(i.code for i in await issue(db, clock) if i.nip == STAF)
    await run_import(db, clock, small_office()[:4])
    assert (await redeem(db, clock, code)).reason == "inactive"


async def test_relinking_with_a_new_invite_moves_the_person_to_the_new_account(db, clock):
    await run_import(db, clock, small_office())
    first = next(i.code for i in await issue(db, clock) if i.nip == STAF)
    await redeem(db, clock, first, external_id="5001")
    second = next(i.code for i in await issue(db, clock) if i.nip == STAF)
    assert (await redeem(db, clock, second, external_id="7003")).linked
    async with db.uow() as uow:
        assert await uow.accounts.person_for(Channel.TELEGRAM, "5001") is None
        assert (await uow.accounts.person_for(Channel.TELEGRAM, "7003")).nip == STAF
