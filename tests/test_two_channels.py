"""A person linked on Telegram and on WhatsApp: the routine and notices go to one account, the one they
linked or wrote from last (not to both: twice the messages, and WhatsApp's cost twice); the other account
is told when a new link takes the routine away, and gets it back by writing from it."""

import datetime as dt
import itertools

from sqlalchemy import select

from bot.domain.org_terms import Channel
from bot.messages import LocationIn
from storage.tables import ChannelAccount
from tests.chat_harness import MONDAY_0900_WIB, ChatHarness, texts
from tests.org_rows import KASI, STAF, small_office
from tests.test_conversation_roles import assign, ids
from tests.test_org_import import run_import

RUDI_TG, RUDI_WA, DEWI_TG = "501", "ID.62812000005", "502"


async def _office(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, small_office())
    telegram = ChatHarness(db, clock, tmp_path / "media")
    whatsapp = ChatHarness(db, clock, tmp_path / "media", channel=Channel.WHATSAPP)
    whatsapp.events = itertools.count(10_000)  # its own update keys: the same key twice is handled once
    codes = await telegram.codes()
    await telegram.text(RUDI_TG, f"/start {codes[STAF]}")
    await telegram.text(DEWI_TG, f"/start {codes[KASI]}")
    return telegram, whatsapp


async def _rudi_addresses(db):
    async with db.uow() as uow:
        rudi = await uow.people.account_person(Channel.TELEGRAM, RUDI_TG)
        return [(a.channel, a.external_id) for a in await uow.people.addresses([rudi])]


async def test_a_second_link_takes_the_routine_and_writing_from_the_first_takes_it_back(db, clock, tmp_path):
    telegram, whatsapp = await _office(db, clock, tmp_path)
    assert await _rudi_addresses(db) == [(Channel.TELEGRAM, RUDI_TG)]
    clock.advance(minutes=5)
    linked = await whatsapp.text(RUDI_WA, (await whatsapp.codes())[STAF])
    assert "Selamat datang" in texts(linked, RUDI_WA)
    told = texts(linked, RUDI_TG)
    assert "dihubungkan juga dengan WhatsApp" in told and "bila Anda menulis lagi dari sini" in told
    assert await _rudi_addresses(db) == [(Channel.WHATSAPP, RUDI_WA)]
    _, given = await assign(telegram, DEWI_TG, (await ids(db))[STAF], "Rekap SPJ")  # a notice: one copy
    assert "Rekap SPJ" in texts(given, RUDI_WA) and texts(given, RUDI_TG) == ""
    async with db.uow() as uow:  # both still linked: Rudi is reachable on either
        rudi = await uow.people.account_person(Channel.TELEGRAM, RUDI_TG)
        assert {a.channel for a in await uow.people.addresses([rudi], every=True)} == {
            Channel.TELEGRAM, Channel.WHATSAPP}

    clock.advance(minutes=5)
    await telegram.text(RUDI_TG, "/status")  # Rudi writes from Telegram again
    assert await _rudi_addresses(db) == [(Channel.TELEGRAM, RUDI_TG)]
    chosen = await _chosen(db)
    clock.advance(minutes=5)
    await telegram.text(RUDI_TG, "/tugas")  # already the routine's: nothing is written
    assert await _chosen(db) == chosen

    clock.advance(minutes=5)  # a live location's later positions from WhatsApp do not take it back
    await whatsapp.send(RUDI_WA, location=LocationIn(-1.6, 103.6, live_key="x", is_update=True))
    assert await _rudi_addresses(db) == [(Channel.TELEGRAM, RUDI_TG)]


async def test_the_routine_falls_back_to_the_other_account_when_the_chosen_one_blocked_the_bot(db, clock, tmp_path):
    telegram, whatsapp = await _office(db, clock, tmp_path)
    clock.advance(minutes=5)
    await whatsapp.text(RUDI_WA, (await whatsapp.codes())[STAF])
    async with db.uow() as uow:
        await uow.people.mark_unreachable(Channel.WHATSAPP, RUDI_WA, clock.now())
        await uow.commit()
    assert await _rudi_addresses(db) == [(Channel.TELEGRAM, RUDI_TG)]


async def _chosen(db) -> dict[str, dt.datetime | None]:
    async with db.uow() as uow:
        rows = await uow.session.execute(select(ChannelAccount.external_id, ChannelAccount.chosen_at)
                                         .where(ChannelAccount.unlinked_at.is_(None)))
        return {external_id: chosen_at for external_id, chosen_at in rows}


async def test_a_console_account_does_not_take_the_routine_from_a_phone(db, clock, tmp_path):
    await _office(db, clock, tmp_path)
    async with db.uow() as uow:  # someone tried the console on the live database, speaking as Rudi
        rudi = await uow.people.account_person(Channel.TELEGRAM, RUDI_TG)
        await uow.accounts.link(rudi, Channel.CONSOLE, "console:rudi", clock.now() + dt.timedelta(minutes=1))
        await uow.commit()
    assert await _rudi_addresses(db) == [(Channel.TELEGRAM, RUDI_TG)]
