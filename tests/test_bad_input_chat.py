"""The bad-input corpus (tests/bad_input_corpus.py) through aiogram's Dispatcher into the real core, on
SQLite and PostgreSQL: every case gets its polite answer in the sender's language (or, where nobody
wrote, nothing), writes nothing it should not, sends only HTML that Telegram parses, and the bot answers
the next ordinary message."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.texts import catalog
from storage.day_tables import LocationFix, Report, Task
from tests.bad_input_corpus import ALL as CHAT_CASES
from tests.bad_input_corpus import BUDI, DEWI, RUDI, SITI, STRANGER, Case
from tests.bad_input_files import FILE_CASES
from tests.bad_input_rig import TelegramCoreRig, now_seconds, telegram_problems, texts_of
from tests.chat_harness import MONDAY_0900_WIB
from tests.org_rows import HEAD, KASI, SEK, STAF, small_office
from tests.test_org_import import run_import


def office() -> list[dict[str, str]]:
    rows = small_office()
    for row in rows:
        row |= {"role": "", "language": ""}
    rows[0]["role"] = "admin"
    rows[1]["language"] = "en"  # Siti, the secretary, reads English; she is outside Rudi's chain
    return rows


@pytest.fixture
async def rig(db, clock, tmp_path):
    clock.current = MONDAY_0900_WIB
    await run_import(db, clock, office())
    rig = TelegramCoreRig(db, clock, tmp_path / "media")
    codes = await rig.harness.codes()
    for chat, nip in ((RUDI, STAF), (DEWI, KASI), (BUDI, HEAD), (SITI, SEK)):
        await rig.says(chat, f"/start {codes[nip]}")
        await rig.feed(rig.message(chat, location={"latitude": -1.61, "longitude": 103.61}))  # home
    await rig.taps(RUDI, "t:add")
    await rig.says(RUDI, "Tugas Rudi")
    for step in (("say", "/lapor"), ("tap", "r:next"), ("say", "Ringkasan"), ("tap", "r:send")):
        await (rig.says if step[0] == "say" else rig.taps)(RUDI, step[1])
    assert rig.crashes == []
    return rig


async def placeholders(rig: TelegramCoreRig, clock) -> dict[str, str]:
    async with rig.db.uow() as uow:
        report = (await uow.session.execute(select(Report.id))).scalar_one()
        task = (await uow.session.execute(select(Task.id))).scalar_one()
        person = (await uow.people.account_actor(rig.harness.channel, str(RUDI))).actor
    today = (clock.now() + dt.timedelta(hours=7)).date()
    return {"{task}": str(task), "{report}": str(report), "{rudi}": str(person.person_id),
            "{today}": today.strftime("%Y%m%d"), "{yesterday}": (today - dt.timedelta(days=1)).strftime("%Y%m%d")}


def filled(value: str, ids: dict[str, str]) -> str:
    # Not str.format: the hostile texts are full of braces that must arrive as typed.
    for name, real in ids.items():
        value = value.replace(name, real)
    return value


async def perform(rig: TelegramCoreRig, who: int, step: tuple, ids: dict[str, str]) -> list:
    kind, value = step
    if kind == "say":
        return await rig.says(who, value)
    if kind == "tap":
        return await rig.taps(who, filled(value, ids))
    if kind == "msg":
        return await rig.feed(rig.message(who, **value))
    if kind == "edit":
        edited = rig.message(who, **value)["message"] | {"edit_date": now_seconds()}
        return await rig.feed({"edited_message": edited})
    return await rig.feed(value)  # "raw": an update exactly as given


def english_texts() -> set[str]:
    ids, ens = catalog("id"), catalog("en")
    return {ens[k] for k in ens if ens[k] != ids[k] and "{" not in ens[k] and len(ens[k]) > 20}


async def check(rig: TelegramCoreRig, case: Case, ids: dict[str, str]) -> list[str]:
    """What is wrong with the bot's handling of one case (empty: all well)."""
    rig.session.files.update(case.files)
    for step in case.steps[:-1]:
        await perform(rig, case.who, step, ids)
    before = await rig.counts()
    calls = await perform(rig, case.who, case.steps[-1], ids)
    after = await rig.counts()
    sent = texts_of(calls)
    problems = [f"crashed: {e!r}" for e in rig.crashes]
    rig.crashes.clear()
    changed = sorted(t for t in before if before[t] != after[t] and t not in case.writes)
    if changed:
        problems.append(f"wrote to {changed}")
    if case.expect is None and sent:
        problems.append(f"answered although nobody wrote: {sent}")
    if case.expect is not None and not any(case.expect.lower() in s.lower() for s in sent):
        problems.append(f"expected {case.expect!r} in {sent}")
    if case.who != SITI and any(english in s for s in sent for english in ENGLISH):
        problems.append(f"English to an Indonesian: {sent}")
    if any("Traceback" in s or "Error(" in s for s in sent):
        problems.append(f"leaked an error: {sent}")
    problems += telegram_problems(calls)
    follow = texts_of(await rig.says(RUDI, "/status"))
    if not any("Status" in s for s in follow):
        problems.append(f"the next ordinary message was not answered: {follow}")
    return problems


ENGLISH = english_texts()


CASES = CHAT_CASES + FILE_CASES


def test_the_corpus_is_large_and_its_ids_unique():
    assert len({c.id for c in CASES}) == len(CASES)
    assert len(CASES) >= 50


# aiogram warns about an update of no kind it knows (the "only-update-id" case): that is the point.
@pytest.mark.filterwarnings("ignore:Detected unknown update type:RuntimeWarning")
async def test_every_bad_input_is_answered_politely_and_writes_nothing_partial(rig, clock):
    ids = await placeholders(rig, clock)
    failures = {case.id: problems for case in CASES if (problems := await check(rig, case, ids))}
    assert failures == {}
    # The stranger of the corpus never got linked along the way.
    async with rig.db.uow() as uow:
        assert await uow.people.account_actor(rig.harness.channel, str(STRANGER)) is None


async def test_a_negative_accuracy_is_stored_as_no_accuracy(rig, clock):
    await rig.feed(rig.message(RUDI, location={"latitude": -1.6, "longitude": 103.6, "horizontal_accuracy": -5.0}))
    async with rig.db.uow() as uow:
        lat, accuracy = (await uow.session.execute(
            select(LocationFix.lat, LocationFix.accuracy_m).order_by(LocationFix.id.desc()).limit(1))).one()
    assert accuracy is None and lat == pytest.approx(-1.6)


async def test_a_title_with_nul_and_controls_is_stored_without_them(rig, clock):
    await rig.taps(RUDI, "t:add")
    calls = await rig.says(RUDI, "Rapat\x00 koordinasi\x01")
    assert rig.crashes == [] and telegram_problems(calls) == []
    assert "Rapat koordinasi" in "\n".join(texts_of(await rig.says(RUDI, "/tugas")))

