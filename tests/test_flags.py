"""Flags are raised once per (person, day, kind, ref) and read back per day, on both engines."""

import datetime as dt

from bot.domain.flags import FlagKind, NewFlag
from tests.org_rows import STAF, small_office
from tests.test_org_import import run_import

DAY = dt.date(2026, 11, 23)
AT = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


async def test_a_flag_is_raised_once_and_excused_inside_a_permission(db, clock):
    await run_import(db, clock, small_office())
    async with db.uow() as uow:
        person_id = (await uow.org.stored_people())[STAF].id
        first = NewFlag(person_id, DAY, FlagKind.REUSED_EVIDENCE, "ev:1", {"earlier": "2026-11-20"})
        other = NewFlag(person_id, DAY, FlagKind.CHECK_MISSED, "check:1")
        assert await uow.flags.raise_many([first, other], AT) == 2
        assert await uow.flags.raise_many([first], AT + dt.timedelta(minutes=5)) == 0
        assert await uow.flags.excuse(person_id, AT - dt.timedelta(minutes=1), AT + dt.timedelta(minutes=1)) == 2
        await uow.commit()
    async with db.uow() as uow:
        flags = (await uow.flags.for_day([person_id], DAY))[person_id]
    assert [(f.kind, f.ref, f.excused) for f in flags] == [
        (FlagKind.REUSED_EVIDENCE, "ev:1", True), (FlagKind.CHECK_MISSED, "check:1", True)]
    assert flags[0].detail == {"earlier": "2026-11-20"}
