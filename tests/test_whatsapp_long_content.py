"""Real people's content at the limits, on WhatsApp: the names, units and task titles of test_long_content.py
(degrees, commas, emoji and `& < > ' "` up to the org chart's 200 characters, units of 300, titles of 500),
a team of 36, admins' files. Signed webhook payloads go through the real core; every Graph API call must be
one the Cloud API accepts (tests/fake_graph_api.py), and what a person needs must arrive as they wrote it."""

from __future__ import annotations

import pytest

from bot.domain.org_terms import Channel
from tests import whatsapp_payloads as wp
from tests.chat_harness import MONDAY_0900_WIB, jpeg
from tests.org_rows import flat_office_nip
from tests.test_long_content import UNIT, long_name, nip, title
from tests.test_org_import import run_import
from tests.test_whatsapp_adapter import Rig

# Conversation tests, not storage tests: SQLite keeps them quick.
pytestmark = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)

HEAD, HEAD_PHONE = "ID.7000000000000000", "6281700000000"
TEAM = 36


def member(i: int) -> tuple[str, str]:
    return f"ID.70000000000000{i:02d}", f"62817000000{i:02d}"


def rows(team: int) -> list[dict[str, str]]:
    head = {"nip": nip(0), "name": long_name(0), "position": "Kepala Seksi", "rank": "pengawas", "unit": UNIT,
            "unit_parent": "", "timezone": "Asia/Jakarta", "supervisor_nip": "", "role": "admin", "language": ""}
    return [head] + [{**head, "nip": flat_office_nip(i), "name": long_name(i), "position": "Pranata Komputer",
                      "rank": "pelaksana", "timezone": "", "supervisor_nip": nip(0), "role": "staff"}
                     for i in range(1, team + 1)]


def refused(rig: Rig, since: int = 0) -> list:
    """Every call the Cloud API would have refused (an expired media id excepted: that is the person's)."""
    return [(c.path, c.problems or c.response) for c in rig.graph.calls[since:] if not c.ok]


def shown(calls) -> str:
    return "\n".join(c.shown() for c in calls)


async def office(db, clock, tmp_path, team: int) -> Rig:
    clock.current = MONDAY_0900_WIB
    org = rows(team)
    assert (await run_import(db, clock, org)).ok
    rig = Rig(db, clock, tmp_path)
    codes = await rig.harness.codes()
    await rig.says(HEAD, HEAD_PHONE, wp.text(codes[org[0]["nip"]]))
    for i in range(1, team + 1):
        await rig.says(*member(i), wp.text(codes[org[i]["nip"]]))
    assert refused(rig) == []
    return rig


@pytest.fixture
async def small(db, clock, tmp_path):
    rig = await office(db, clock, tmp_path, 2)
    yield rig
    await rig.http.aclose()
    await rig.parts.close()


async def test_an_admins_invite_list_and_export_arrive_as_documents_whatsapp_takes(small):
    # Uploaded as application/octet-stream, Meta refused both files (#100) and the admin got nothing at all.
    mark = len(small.graph.calls)
    invites = await small.says(HEAD, HEAD_PHONE, wp.text("/undang"))
    export = await small.says(HEAD, HEAD_PHONE, wp.text("/ekspor"))
    assert refused(small, mark) == []
    documents = [c.body["document"] for c in invites + export if c.type == "document"]
    assert [d["filename"].rsplit(".", 1)[1] for d in documents] == ["csv", "xlsx"], documents
    uploads = [c.body["mime_type"] for c in small.graph.calls[mark:] if c.path.endswith("/media")]
    assert uploads == ["text/plain", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]


async def test_a_task_title_in_the_which_task_question_reads_as_typed(small):
    # Labels went through the HTML conversion meant for texts: "<RKA>" vanished as a tag, "&amp;" became "&".
    who = member(1)
    await small.says(*who, wp.location(-6.2, 106.8))
    typed = ["Rapat <RKA> & 'TAPD'", "Cek &amp; kirim \"SPJ\""]
    for t in typed:
        await small.says(*who, wp.button_reply("t:add"))
        await small.says(*who, wp.text(t))
    small.graph.add_media("photo-1", jpeg())
    question = (await small.says(*who, wp.image("photo-1")))[-1]
    rows = question.body["interactive"]["action"]["sections"][0]["rows"]
    offered = [f"{r['title']} {r.get('description') or ''}" for r in rows]
    assert all(any(t in o for o in offered) for t in typed), offered


async def test_with_32_open_tasks_the_task_number_a_person_types_opens_that_task(small):
    # Over 24 tasks /tugas has one number button a task, eight to a row. WhatsApp numbered the rows, so the
    # "31" a person typed for task 31 (as the text tells them) was answered "Pesan diterima"; only "4", the
    # fourth row of numbers, led there.
    who = member(1)
    for k in range(1, 33):
        await small.says(*who, wp.button_reply("t:add"))
        await small.says(*who, wp.text(title(k)))
    mark = len(small.graph.calls)
    listing = await small.says(*who, wp.text("/tugas"))
    menu = listing[-1].shown()
    assert "\n33. ➕ Tambah tugas\n" in menu and "\n1. 1\n" not in menu and "1 · 2" not in menu, menu
    offered = await small.says(*who, wp.text("31"))
    actions = [a for a, _ in offered[-1].actions()]
    async with small.db.uow() as uow:
        person = await uow.people.account_person(Channel.WHATSAPP, who[0])
        tasks = await uow.day.tasks_for_day(person, small.clock.now().date())
    task_31 = next(t.id for t in tasks if t.title.startswith("31 "))
    assert actions == [f"t:{task_31}:{a}" for a in ("done", "prog", "block", "ev")], [c.shown() for c in offered]
    assert refused(small, mark) == []
