"""Live-location moves stored in batches: every move of a linked person once, in their zone's day;
redeliveries, strangers and impossible positions dropped; each caller returns after the commit."""

import asyncio
import datetime as dt

from sqlalchemy import select, update

from bot.domain.org_terms import Channel
from bot.messages import Inbound, LocationIn
from bot.services.live_batch import LiveBatcher, ingest_moves
from storage.day_tables import LocationFix
from storage.tables import Person
from tests.org_rows import STAF, small_office
from tests.test_org_import import run_import

AT = dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.UTC)  # 00.30 WITA on Tuesday: Rudi's day is the 24th


def move(n: int, sender: str = "501", lat: float = -1.6, key: str | None = None) -> Inbound:
    return Inbound(Channel.TELEGRAM, sender, key or f"tg:{n}", AT + dt.timedelta(seconds=n),
                   location=LocationIn(lat, 103.6 + n * 1e-5, 10.0, None, "501:77", True))


async def fixes(db):
    async with db.engine.connect() as conn:
        return (await conn.execute(select(LocationFix).order_by(LocationFix.at))).all()


async def test_moves_arriving_together_are_stored_once_each_in_one_batch(db, clock):
    await run_import(db, clock, small_office())
    async with db.uow() as uow:
        rudi = (await uow.org.stored_people())[STAF].id
        await uow.accounts.link(rudi, Channel.TELEGRAM, "501", clock.now())
        await uow.commit()
    batcher = LiveBatcher(db.uow, clock, max_size=50)
    moves = [move(n) for n in range(120)] + [move(0), move(500, sender="999"), move(501, lat=95.0)]
    await asyncio.gather(*(batcher.add(m) for m in moves))
    stored = await fixes(db)
    assert len(stored) == 120  # the redelivery, the stranger and the impossible latitude are dropped
    assert {(f.person_id, f.day, f.live, f.live_key) for f in stored} == {(rudi, dt.date(2026, 11, 24), True, "501:77")}
    await batcher.add(move(700))  # alone, one after another (long polling): stored at once, no waiting
    await batcher.add(move(701))
    assert len(await fixes(db)) == 122
    assert await ingest_moves(db.uow, [move(5), move(5)], clock.now()) == 0  # seen before: nothing twice
    assert await ingest_moves(db.uow, [move(900), move(900)], clock.now()) == 1


async def test_a_live_location_stopped_on_telegram_ends_when_it_was_stopped(db, clock, tmp_path):
    """Through aiogram's dispatcher (where moves go to the batch): Rudi shares his live location for 8 hours
    from home at 07.20 WITA and stops it at 10.00; the day counts him at home until 10.00, not 15.20."""
    from bot.services.routine import Routine
    from tests.bad_input_rig import TelegramCoreRig, now_seconds

    home = (-1.6, 103.6)
    wita = dt.timezone(dt.timedelta(hours=8))
    day = dt.date(2026, 11, 23)

    def at(hh: int, mm: int) -> dt.datetime:
        return dt.datetime(2026, 11, 23, hh, mm, tzinfo=wita).astimezone(dt.UTC)

    clock.current = at(7, 0)
    await run_import(db, clock, small_office())
    rig = TelegramCoreRig(db, clock, tmp_path / "media")
    async with db.uow() as uow:
        rudi = (await uow.org.stored_people())[STAF].id
        await uow.accounts.link(rudi, Channel.TELEGRAM, "501", clock.now())
        await uow.day.set_mode(rudi, day, "wfh", "roster", None)
        await uow.commit()
    async with db.engine.begin() as conn:
        await conn.execute(update(Person).where(Person.id == rudi).values(home_lat=home[0], home_lon=home[1]))
    clock.current = at(7, 20)
    first = rig.message(501, location={"latitude": home[0], "longitude": home[1], "live_period": 8 * 3600})
    await rig.feed(first)
    for hh, mm in ((8, 0), (9, 0)):
        clock.current = at(hh, mm)
        await rig.feed({"edited_message": first["message"] | {"edit_date": now_seconds(), "location": {
            "latitude": home[0], "longitude": home[1], "live_period": 8 * 3600}}})
    clock.current = at(10, 0)
    await rig.feed({"edited_message": first["message"] | {"edit_date": now_seconds(), "location": {
        "latitude": home[0], "longitude": home[1]}}})  # no live_period: sharing stopped
    assert rig.crashes == []
    await Routine(db.uow, clock=clock, default_language="id").presence(at(16, 5))
    async with db.uow() as uow:
        summary = (await uow.presence.summaries_for([rudi], day))[rudi]
        flags = (await uow.flags.for_day([rudi], day))[rudi]
    assert summary.stopped_early and summary.covered_minutes == 150  # 07.30–10.00
    [stopped] = [f for f in flags if f.kind.value == "sharing_stopped"]
    assert dt.datetime.fromisoformat(stopped.detail["stopped_at"]) - at(10, 0) < dt.timedelta(seconds=2)
