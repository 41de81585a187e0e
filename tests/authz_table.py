"""Who may do what: every chat command and every button action, with the outcome for each of eight actors.

The subject is Rudi (staff of Seksi Timur): his task, his submitted report, his pending leave request
and his home point waiting for approval. Actors: a stranger (no linked account), Rudi himself, Siti
(heads the secretariat: a supervisor of another unit), Dewi (Rudi's section head), Andi (Dewi's
division head) Ari (an admin in the secretariat, outside Rudi's chain), and two secretariat staff designated Plh of Dewi:
Tono for today, Wati for tomorrow only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from tests.org_rows import KASI, STAF

ACTORS = ("stranger", "staff", "other_boss", "boss", "boss2", "admin", "plh", "plh_off")

ACTS, REFUSED, IDLE = "acts", "refused", "idle"  # idle: allowed, but it does not touch Rudi's things
# Two acting officials (Plh) of Dewi, both secretariat staff with nobody under them: `plh` designated for today,
# `plh_off` for tomorrow only. On the day, the Plh may what Dewi may over her people (review, approve-all and
# pages of her team, leave and home decisions, the team member's view, her team in /rekap and /tim, with its
# pages) and nothing more: no assigning, no export, no team pages of their own; off the day, nothing beyond staff.
NO_PLH = {"plh": REFUSED, "plh_off": REFUSED}
EVERYONE = {a: ACTS for a in ACTORS[1:]}
BOSSES = {"staff": REFUSED, "other_boss": ACTS, "boss": ACTS, "boss2": ACTS, "admin": REFUSED, **NO_PLH}
CHAIN = {"staff": REFUSED, "other_boss": REFUSED, "boss": ACTS, "boss2": ACTS, "admin": ACTS, "plh": ACTS,
         "plh_off": REFUSED}
ONLY_RUDI = {"staff": ACTS, "other_boss": REFUSED, "boss": REFUSED, "boss2": REFUSED, "admin": REFUSED, **NO_PLH}
ONLY_ADMIN = {"staff": REFUSED, "other_boss": REFUSED, "boss": REFUSED, "boss2": REFUSED, "admin": ACTS, **NO_PLH}

# (ctx, the actor's person id, what the bot sent) -> did the action take effect?
Effect = Callable[[Any, int, list], Awaitable[bool]]


@dataclass(frozen=True)
class Case:
    name: str
    text: str | None = None  # a command as typed, or
    tap: str | None = None  # a button action; `{task}`, `{report}`, `{rev}`, `{leave}`, `{rudi}`, `{home}`, `{today}`, `{boss}` (Dewi)
    expect: dict[str, str] = field(default_factory=dict)  # actor -> outcome; the stranger is always refused
    effect: Effect | None = None
    # a conversation state the actor is put in first: its data, or what makes it of the office
    arrange: tuple[str, dict | Callable[[Any], dict]] | None = None
    audited_as: str | None = None  # a button that runs a command is audited as that command

    @property
    def what(self) -> str:
        """What the audit entry of a refusal names: the command or the button's first part."""
        return (self.text or "").lstrip("/").split(" ")[0] if self.text else (self.tap or "").split(":")[0]


def answered(ctx, pid, out) -> Awaitable[bool]:
    return ctx.answered(pid, out)


def state_is(name: str, **data) -> Effect:
    async def check(ctx, pid, out) -> bool:
        state, stored = await ctx.state(pid)
        return state == name and all(stored.get(k) == v for k, v in data.items())
    return check


def audited(action: str) -> Effect:
    async def check(ctx, pid, out) -> bool:
        return any(e.action == action and e.actor == f"person:{pid}" for e in await ctx.new_audit())
    return check


def shows(word: str) -> Effect:
    async def check(ctx, pid, out) -> bool:
        return word in ctx.all_text(out)
    return check


async def offers_rudi(ctx, pid, out) -> bool:
    return any(b.action == f"tim:{ctx.rudi}" for o in out for row in o.reply.buttons for b in row)


async def task_done(ctx, pid, out) -> bool:
    return (await ctx.read(lambda uow: uow.day.task(ctx.task))).status == "done"


async def report_approved(ctx, pid, out) -> bool:
    return (await ctx.read(lambda uow: uow.day.report_by_id(ctx.report))).status == "approved"


async def leave_approved(ctx, pid, out) -> bool:
    return (await ctx.read(lambda uow: uow.leave.get(ctx.leave))).status == "approved"


async def leave_refused(ctx, pid, out) -> bool:
    return (await ctx.read(lambda uow: uow.leave.get(ctx.leave))).status == "refused"


async def leave_cancelled(ctx, pid, out) -> bool:
    return (await ctx.read(lambda uow: uow.leave.get(ctx.leave))).status == "cancelled"


async def home_approved(ctx, pid, out) -> bool:
    return (await ctx.read(lambda uow: uow.presence.home(ctx.rudi))).approved


async def acknowledged(ctx, pid, out) -> bool:
    day = await ctx.read(lambda uow: uow.day.work_day(pid, ctx.today))
    return day is not None and day.acknowledged_at is not None


async def english(ctx, pid, out) -> bool:
    return (await ctx.read(lambda uow: uow.people.actor(pid))).language == "en"


async def picked_rudi(ctx, pid, out) -> bool:
    state, data = await ctx.state(pid)
    return state == "assign" and ctx.rudi in data.get("picked", [])


async def state_cleared(ctx, pid, out) -> bool:
    return (await ctx.state(pid))[0] is None


CASES = [
    # commands ----------------------------------------------------------------------------------------
    Case("start", text="/start", expect=EVERYONE, effect=answered),
    Case("tugas", text="/tugas", expect=EVERYONE, effect=answered),
    Case("lapor", text="/lapor", expect=EVERYONE, effect=state_is("report")),
    Case("status", text="/status", expect=EVERYONE, effect=answered),
    Case("izin", text="/izin", expect=EVERYONE, effect=answered),
    Case("rumah", text="/rumah", expect=EVERYONE, effect=state_is("home_location")),
    Case("bahasa", text="/bahasa", expect=EVERYONE, effect=answered),
    Case("bantuan", text="/bantuan", expect=EVERYONE, effect=answered),
    Case("alias help", text="/help", expect=EVERYONE, effect=answered),
    Case("tim", text="/tim", expect={**BOSSES, "admin": ACTS, "plh": ACTS}, effect=answered),  # admins: requests
    Case("tugaskan", text="/tugaskan", expect=BOSSES, effect=state_is("assign")),
    Case("rekap", text="/rekap", expect={**BOSSES, "boss2": IDLE, "other_boss": IDLE, "plh": ACTS},
         effect=shows("Rudi Hartono")),
    Case("rekap of a unit", text="/rekap 2026-11-23 Seksi Timur", expect=ONLY_ADMIN, effect=shows("Rudi Hartono")),
    Case("ekspor", text="/ekspor 2026-11", expect={**BOSSES, "admin": ACTS}, effect=audited("export_month")),
    Case("ekspor of a unit", text="/ekspor 2026-11 Seksi Timur", expect=ONLY_ADMIN, effect=audited("export_month")),
    Case("undang", text="/undang Seksi Timur", expect=ONLY_ADMIN, effect=audited("invites_issue")),
    Case("umumkan", text="/umumkan Apel gabungan besok", expect=ONLY_ADMIN,
         effect=state_is("announce", step="target")),
    Case("jadwal", text="/jadwal", expect=ONLY_ADMIN, effect=answered),
    Case("jadwal set", text="/jadwal apel 07:15", expect=ONLY_ADMIN, effect=audited("schedule_set")),
    Case("libur", text="/libur", expect=ONLY_ADMIN, effect=answered),
    Case("libur add", text="/libur 2026-12-01 libur Hari Uji", expect=ONLY_ADMIN, effect=audited("calendar_add")),
    Case("roster", text="/roster", expect=ONLY_ADMIN, effect=audited("roster_generate")),
    Case("jalankan", text="/jalankan rekap", expect=ONLY_ADMIN, effect=audited("routine_run")),
    Case("plh", text="/plh", expect=ONLY_ADMIN, effect=shows("Tono Wibowo sebagai Plh Dewi Lestari")),
    Case("plh designate", text="/plh Siti Aminah oleh Yani Putri besok", expect=ONLY_ADMIN,
         effect=audited("plh_designate")),
    # buttons -----------------------------------------------------------------------------------------
    Case("ack", tap="ack:{today}", expect=EVERYONE, effect=acknowledged),
    Case("lang", tap="lang:en", expect=EVERYONE, effect=english),
    Case("tasks", tap="tasks", expect=EVERYONE, effect=answered),
    Case("task done", tap="t:{task}:done", expect=ONLY_RUDI, effect=task_done),
    Case("evidence for a task", tap="ev:{task}", expect=ONLY_RUDI, effect=state_cleared,
         arrange=("evidence_pick", {"ids": []})),
    Case("report task", tap="r:t:{task}:done", expect=ONLY_RUDI, effect=task_done,
         arrange=("report", {"step": "tasks"})),
    Case("lapor button", tap="lapor", expect=EVERYONE, effect=state_is("report")),
    Case("leave button", tap="leave", expect=EVERYONE, effect=answered),
    Case("leave kind", tap="lv:cuti", expect=EVERYONE, effect=state_is("leave")),
    Case("leave decision", tap="lvd:{leave}:y", expect=CHAIN, effect=leave_approved),
    Case("leave refusal", tap="lvd:{leave}:n", expect=CHAIN, effect=state_is("refuse_reason")),
    Case("leave cancel question", tap="lvc:{leave}", expect=ONLY_RUDI, effect=shows("Batalkan")),
    Case("leave cancel", tap="lvc:{leave}:y", expect=ONLY_RUDI, effect=leave_cancelled),
    Case("leave refusal without a reason", tap="lvd:{leave}:ns", expect=CHAIN, effect=leave_refused),
    Case("team button", tap="team", expect={**BOSSES, "admin": ACTS, "plh": ACTS}, effect=answered, audited_as="tim"),
    Case("team page", tap="timpg:0:n", expect={**BOSSES, "boss2": IDLE, "other_boss": IDLE},
         effect=offers_rudi),
    Case("team page of the official a Plh stands in for", tap="timpg:0:n:{boss}", expect={**ONLY_ADMIN, "admin": REFUSED,
         "plh": ACTS}, effect=offers_rudi),
    Case("team member", tap="tim:{rudi}", expect=CHAIN, effect=shows("Laporan rahasia Rudi")),
    Case("assign pick", tap="asg:p:{rudi}", expect={**CHAIN, "admin": REFUSED, "plh": REFUSED}, effect=picked_rudi,
         arrange=("assign", {"step": "pick", "scope": "all", "picked": []})),
    Case("approve", tap="ap:{report}:{rev}", expect=CHAIN, effect=report_approved),
    Case("return", tap="rt:{report}:{rev}", expect=CHAIN, effect=state_is("return_note")),
    Case("approve all", tap="apall:{today}", expect={**BOSSES, "boss2": IDLE, "other_boss": IDLE},
         effect=report_approved),
    Case("approve all of a team", tap="apall:{today}:{boss}", expect=CHAIN, effect=report_approved),
    Case("digest page", tap="dg:{today}:{boss}:0:n", expect=CHAIN, effect=shows("Rudi Hartono")),
    Case("confirm a held org chart", tap="orgimp", expect={**ONLY_ADMIN, "admin": IDLE}, effect=audited("org_import")),
    Case("announce target", tap="ann:0", expect=ONLY_ADMIN, effect=audited("announce"),
         arrange=("announce", {"step": "target", "text": "Apel gabungan"})),
    Case("home decision", tap="home:{rudi}:{home}:y", expect=CHAIN, effect=home_approved),
    Case("plh pick", tap="plh:{boss}", expect=ONLY_ADMIN, effect=audited("plh_clear"), arrange=("plh", lambda office: {
        "do": "clear", "since": office.today.isoformat(), "official": {
            "typed": "Lestari", "ids": [office.pids["boss"], office.rudi],
            "nips": {str(office.pids["boss"]): KASI, str(office.rudi): STAF}}})),
]
