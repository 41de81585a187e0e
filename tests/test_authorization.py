"""Never let the wrong person in: every chat command and button action (tests/authz_table.py) as each of eight
actors (a Plh on and off their designated day among them), on one office per engine, each case rolled back.
Only the allowed act (checked in the database); the others get a polite catalog answer in their own language that names nothing, and an audit entry;
nobody outside Rudi's chain ever sees his name, tasks or report."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from types import SimpleNamespace

import openpyxl
from sqlalchemy import func, select

from bot.domain.org_terms import Channel
from bot.services import plh
from bot.services.menus import ALIASES, commands_for
from bot.services.refusal import stranger_label
from bot.texts import text
from storage.day_tables import LeaveRequest
from storage.tables import AuditEntry
from tests.authz_table import ACTORS, ACTS, CASES, REFUSED
from tests.chat_harness import MONDAY_0900_WIB, PSEUDONYM_KEY, ChatHarness
from tests.org_rows import KABID, KASI, SEK, STAF, small_office
from tests.savepoint_db import SavepointDatabase
from tests.test_org_import import run_import

YANI_NIP, ARI_NIP = "199207072017032007", "199308082018031008"
TONO_NIP, WATI_NIP = "199409092019031009", "199510102020032010"
SENDERS = {"stranger": "999", "staff": "501", "other_boss": "504", "boss": "502", "boss2": "503", "admin": "508",
           "plh": "509", "plh_off": "510"}
NIPS = {"staff": STAF, "other_boss": SEK, "boss": KASI, "boss2": KABID, "admin": ARI_NIP, "yani": YANI_NIP,
        "plh": TONO_NIP, "plh_off": WATI_NIP}
RUDI_SECRETS = ("Rudi Hartono", "Tugas Rudi", "Laporan rahasia Rudi")
REFUSAL_KEYS = ("common.not_available", "admin.only", "team.no_team")


def test_every_command_and_button_action_has_a_row(tmp_path):
    conversation = ChatHarness(SimpleNamespace(uow=None), None, tmp_path).conversation
    commands = {ALIASES.get(c.what, c.what) for c in CASES if c.text}  # `/help` is /bantuan
    assert commands == set(conversation.commands), "a command without a row in tests/authz_table.py"
    assert {c.what for c in CASES if c.tap} == set(conversation.taps), "a button action without a row in tests/authz_table.py"
    assert set(commands_for("admin")) | {"start"} == set(conversation.commands)  # menus name no ghost command
    assert all(set(c.expect) == set(ACTORS[1:]) for c in CASES)


async def _office(db, clock, tmp_path) -> SimpleNamespace:
    clock.current = MONDAY_0900_WIB
    rows = [{**r, "role": "staff"} for r in small_office()]
    staff = dict(rows[4], phone="", unit="Sekretariat", supervisor_nip=SEK)
    rows += [{**staff, "nip": YANI_NIP, "name": "Yani Putri"},
             {**staff, "nip": ARI_NIP, "name": "Ari Admin", "role": "admin"},
             {**staff, "nip": TONO_NIP, "name": "Tono Wibowo"}, {**staff, "nip": WATI_NIP, "name": "Wati Suryani"}]
    await run_import(db, clock, rows)
    chat = ChatHarness(db, clock, tmp_path / "media")
    codes = await chat.codes()
    for actor, nip in NIPS.items():
        sender = SENDERS.get(actor, "507")
        await chat.text(sender, f"/start {codes[nip]}")
        await chat.location(sender, -1.6, 103.6)  # the home point, waiting for approval
    await chat.conversation.routine.briefings(clock.now(), force=True)  # the day's rows; `ack` comes with it
    await chat.tap(SENDERS["other_boss"], "lang:en")
    rudi = SENDERS["staff"]
    await chat.tap(rudi, "t:add")
    await chat.text(rudi, "Tugas Rudi")
    await chat.text(rudi, "/lapor")
    await chat.tap(rudi, "r:next")
    await chat.text(rudi, "Laporan rahasia Rudi")
    await chat.tap(rudi, "r:send")
    await chat.tap(rudi, "leave")
    await chat.tap(rudi, "lv:cuti")
    await chat.tap(rudi, "lv:days:1")
    await chat.text(rudi, "Urusan keluarga")
    today = MONDAY_0900_WIB.date()
    # After Rudi's request: it went to Dewi, as in the table's other columns; the designations change only who acts.
    for nip, day in ((TONO_NIP, today), (WATI_NIP, today + dt.timedelta(days=1))):
        await plh.designate(db.uow, KASI, nip, day, day, today=today, now=clock.now(), actor="cli")
    async with db.uow() as uow:
        pids = {a: await uow.people.account_person(Channel.TELEGRAM, s) for a, s in SENDERS.items() if a != "stranger"}
        (task,) = await uow.day.tasks_for_day(pids["staff"], today)
        report = await uow.day.report(pids["staff"], today)
        leave_id = (await uow.session.execute(select(LeaveRequest.id))).scalar_one()
        home = await uow.presence.home(pids["staff"])
    assert report.status == "submitted" and home.pending_at is not None
    return SimpleNamespace(pids=pids, rudi=pids["staff"], task=task.id, report=report.id, rev=report.revision,
                           leave=leave_id, home=int(home.pending_at.timestamp()), today=today,
                           languages={a: "en" if a == "other_boss" else "id" for a in ACTORS})


class Ctx:
    """What an effect check may ask within one case."""

    def __init__(self, office, cases_db, audit_base, lang):
        self.__dict__.update(vars(office))
        self.db, self.audit_base, self.lang = cases_db, audit_base, lang

    async def read(self, query):
        async with self.db.uow() as uow:
            return await query(uow)

    async def state(self, pid):
        return await self.read(lambda uow: uow.day.state(pid)) or (None, {})

    async def new_audit(self):
        async with self.db.uow() as uow:
            rows = await uow.session.execute(select(AuditEntry).where(AuditEntry.id > self.audit_base))
            return [SimpleNamespace(**e.model_dump()) for e in rows.scalars()]

    def all_text(self, out) -> str:
        return "\n".join(o.reply.text for o in out)

    def refusals(self) -> set[str]:
        return {text(self.lang, k) for k in REFUSAL_KEYS}

    async def answered(self, pid, out) -> bool:
        return bool(out) and not any(o.reply.text in self.refusals() for o in out)


def _everything(out) -> str:
    """The texts and what the files say (an export's sheets are named by NIP)."""
    shown = [o.reply.text for o in out]
    for o in out:
        attachment = o.reply.attachment
        if attachment and attachment.filename.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(attachment.content), read_only=True)
            shown += book.sheetnames + [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                                        for c in row if c is not None]
        elif attachment and attachment.content:
            shown.append(attachment.content.decode("utf-8", "replace"))
    return "\n".join(shown)


def _format(template: str, office) -> str:
    return template.format(task=office.task, report=office.report, rev=office.rev, leave=office.leave,
                           rudi=office.rudi, home=office.home, boss=office.pids["boss"], today=office.today.strftime("%Y%m%d"))


async def _run(chat, cases_db, office, case, actor) -> list[str]:
    """The problems of one (action, actor) pair; none when it behaves as the table says."""
    sender, pid = SENDERS[actor], office.pids.get(actor)
    async with cases_db.case():
        async with cases_db.uow() as uow:
            base = (await uow.session.execute(select(func.coalesce(func.max(AuditEntry.id), 0)))).scalar_one()
            if case.arrange and pid:
                name, data = case.arrange
                await uow.day.set_state(pid, name, data(office) if callable(data) else data, chat.clock.now())
                await uow.commit()
        ctx = Ctx(office, cases_db, base, office.languages[actor])
        if case.text:
            out = await chat.text(sender, _format(case.text, office))
        else:
            out = await chat.tap(sender, _format(case.tap, office))
        expected = REFUSED if actor == "stranger" else case.expect[actor]
        problems = []
        to_actor = [o for o in out if o.external_id == sender]
        if actor in ("stranger", "other_boss", "plh_off") and any(s in _everything(to_actor) for s in RUDI_SECRETS + (STAF,)):
            problems.append("showed Rudi's things outside his chain")
        refusals = [e for e in await ctx.new_audit() if e.action == "refused"]
        if expected == REFUSED:
            problems += _check_refusal(ctx, case, actor, out, sender, pid, refusals)
        else:
            if any(e.actor == f"person:{pid}" for e in refusals):
                problems.append("audited as refused")
            if not await ctx.answered(pid, to_actor):
                problems.append("answered with a refusal: " + ctx.all_text(to_actor)[:80])
        if expected != REFUSED or pid:
            took = await case.effect(ctx, pid, out) if pid else False
            if took != (expected == ACTS):
                problems.append("took effect" if took else "did not take effect")
        return problems


def _check_refusal(ctx, case, actor, out, sender, pid, refusals) -> list[str]:
    problems = []
    if actor == "stranger":
        wanted = {text("id", "onboard.refused")}
        label = stranger_label(PSEUDONYM_KEY, Channel.TELEGRAM, sender)
    else:
        wanted, label = ctx.refusals(), f"person:{pid}"
    if [o.external_id for o in out] != [sender] or out[0].reply.text not in wanted:
        problems.append("not one polite refusal to the sender: " + ctx.all_text(out)[:80])
    if out and (out[0].reply.buttons or out[0].reply.attachment):
        problems.append("a refusal with buttons or a file")
    what = ALIASES.get(case.what, case.what) if case.text else case.what
    if actor != "stranger":
        what = case.audited_as or what
    mine = [json.loads(e.detail) for e in refusals if e.actor == label]
    if not any(what in (d.get("command"), d.get("button")) for d in mine):
        problems.append(f"refusal not audited (entries: {mine})")
    if actor == "stranger" and (len(refusals) != 1 or sender in label + json.dumps(mine)):
        problems.append("a stranger left more than one pseudonymous entry")
    return problems


async def test_who_may_do_what(db, db_target, clock, tmp_path):
    office = await _office(db, clock, tmp_path)
    cases_db = SavepointDatabase(*db_target)
    chat = ChatHarness(SimpleNamespace(uow=cases_db.uow), clock, tmp_path / "media")
    chat.events = itertools.count(10_000)  # update keys the office's own set-up did not use
    try:
        failures = {}
        for case in CASES:
            for actor in ACTORS:
                problems = await _run(chat, cases_db, office, case, actor)
                if problems:
                    failures[f"{case.name} × {actor}"] = problems
    finally:
        await cases_db.dispose()
    assert not failures, "\n".join(f"{k}: {'; '.join(v)}" for k, v in failures.items())
    async with db.uow() as uow:  # every case was rolled back: Rudi's report still waits for review
        assert (await uow.day.report_by_id(office.report)).status == "submitted"
