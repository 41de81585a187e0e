"""One whole working day of the sample office, played through the real core on a throwaway database.

`play_day` makes a temporary SQLite database (never DATABASE_URL), migrates it, imports the sample office,
links a console identity for everyone and moves a `ScriptedClock` through Monday 23 November 2026.
Everything people do goes through `Conversation.handle` as console events; everything the routine does
goes through `Routine` steps (with Pillow pictures), exactly as in production. What the script adds is
only the people: who acknowledges the briefing, who adds a task, sends a screenshot, shares a location,
reports on time, late or never, asks for leave, reviews.

The cast (NIPs from `bot/samples/sample_office.csv`):
- Rizki Firdaus Hidayat (Subbagian Keuangan, WIB, WFH today): on time; an own task, a screenshot sent as
  a file, a live location from home that moves;
- Agus Tanjung (Seksi Layanan Aplikasi): gets a task from Siti, reports, is returned, reports again, approved;
- Siti Novitasari (his section head, English): assigns the task, returns Agus's report with a note;
- Hasan Simanjuntak (Seksi Infrastruktur TIK): asks for cuti before apel; Irfan approves; excused;
- Hasnawati Basri (UPTD, WITA): reports after her deadline (late);
- Teguh Sinaga (Seksi Infrastruktur TIK): acknowledges the briefing and then never reports (missing);
- Irfan Agus Gunawan (Teguh's section head): approves the leave, gets the escalation, the digest picture;
- and around them: Bayu Rizki Setiawan reports late, Intan Permatasari approves all on-time reports with
  one tap, Budi Dedi Ramadhan sends the screenshot Agus sent (reused), Bambang Saputra shares a location
  far from home (off-geofence); everyone else works an ordinary day and reports on time.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import html
import io
import itertools
import math
import random
import re
import secrets
import tempfile
import time
import unicodedata
from importlib import resources
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont
from rich.markup import escape

from bot.demo.clock import ScriptedClock
from bot.domain.org_terms import Channel
from bot.messages import Inbound, LocationIn, MediaIn, Outgoing
from bot.pictures import PillowPictures
from bot.services import digest
from bot.services.conversation import Conversation
from bot.services.digest_query import as_record, digests_for
from bot.domain.geo import km_between
from bot.services.invites import LinkSettings
from bot.services.onboarding import console_login
from bot.services.org_import import import_org_chart
from bot.services.roster_admin import generate_roster
from bot.services.routine import Routine
from bot.spreadsheet import UploadedSheetReader, open_sheet
from bot.texts import format_clock, format_date, text
from storage.media_store import FileMediaStore
from storage.migrate import upgrade
from storage.unit_of_work import Database

DAY = dt.date(2026, 11, 23)  # a Monday
WIB, WITA = "Asia/Jakarta", "Asia/Makassar"

RIZKI = "199804202021011619"
AGUS = "199003022022121002"
SITI = "197701292002122001"
FIRDAUS_AW = "197611302008051009"
RAHMAT_S = "198503052011121002"
BUDI_DEDI = "198010302008071003"
HASAN_S = "198312282007051004"
IRFAN = "198005242006111005"
TEGUH = "198803202020071001"
BAYU_RS = "198311202008111980"
HASNA = "199507192024112004"
INTAN = "198011042007112005"
BAMBANG = "197510061999021004"
ADMIN = "197509252006052006"  # Sri Putri Ramadhani, admin of the office

MAIN = (RIZKI, AGUS, SITI, HASAN_S, HASNA, TEGUH, IRFAN)  # whose conversations are printed
SCRIPTED = {RIZKI, AGUS, HASAN_S, HASNA, TEGUH, BAYU_RS}  # whose day is not the ordinary one
LATE_WAVE = 6  # ordinary people who report after the 15.00 WIB reminder (still on time)
TICKS = ("06.30", "07.30", "14.00", "14.45", "15.00", "15.30", "15.45", "16.00", "16.30", "17.00", "17.30",
         "18.00", "18.30")  # WIB; 07.30 WITA is 06.30 WIB, 16.00 WITA is 15.00 WIB
MESSAGE_LINES, LINE_CHARS = 7, 118

# What simulated people type: they are Indonesian civil servants, so they write Indonesian whatever
# language their bot speaks. (Scenario data, not the bot's texts.)
WORK = {  # unit keyword -> (app on their screen, own task, report summary)
    "Keuangan": ("SIPD Penatausahaan", "Verifikasi SPJ belanja bulan November",
                 "Verifikasi 14 SPJ belanja November selesai; 2 dikembalikan untuk kelengkapan kuitansi."),
    "Umum": ("Srikandi", "Mengagendakan surat masuk",
             "Surat masuk hari ini diagendakan dan didisposisikan lewat Srikandi."),
    "Layanan Aplikasi": ("e-Layanan", "Memperbarui modul antrean e-Layanan",
                         "Modul antrean e-Layanan diperbarui dan diuji di server staging."),
    "Infrastruktur": ("Monitor Jaringan", "Memeriksa log jaringan kantor",
                      "Log jaringan diperiksa; bandwidth kantor normal, satu access point diganti."),
    "Persandian": ("Pusat Sertifikat", "Menerbitkan sertifikat elektronik pegawai",
                   "Tujuh sertifikat elektronik pegawai diterbitkan dan dikirim ke pemohon."),
    "Statistik": ("Satu Data", "Validasi data sektoral triwulan III",
                  "Validasi 36 tabel data sektoral triwulan III selesai; 4 tabel dikembalikan ke OPD."),
    "UPTD": ("Monitoring Spektrum", "Pemantauan pita frekuensi 400 MHz",
             "Pemantauan pita 400 MHz selesai; hasil pengukuran diunggah ke sistem monitoring."),
    "": ("e-Kinerja", "Menyusun bahan rapat pimpinan",
         "Bahan rapat pimpinan disusun dan dikirim ke sekretariat; disposisi hari ini ditindaklanjuti."),
}
RIZKI_TASK = "Rekonsiliasi kas bendahara pengeluaran November"
RIZKI_SUMMARY = ("Rekonsiliasi kas bendahara pengeluaran November selesai: saldo buku kas sama dengan rekening "
                 "koran; berita acara dikirim ke Kasubbag Keuangan.")
ASSIGNED_TASK = "Uji coba fitur pengaduan e-Layanan versi 2.3"
AGUS_FIRST = "Uji coba selesai."
RETURN_NOTE = "Tolong sebutkan skenario yang diuji dan bug yang ditemukan, lampirkan tangkapan layarnya."
AGUS_SECOND = ("Uji coba fitur pengaduan e-Layanan 2.3: 12 skenario diuji, 10 lolos; 2 bug (unggah lampiran "
               "di atas 5 MB gagal, notifikasi ganda) dicatat di tiket #418 dan #419 dengan tangkapan layar.")
LEAVE_REASON = "Menghadiri wisuda anak di Palembang"
HASNA_SUMMARY = "Pemantauan spektrum pita 400 MHz di Makassar; 3 pancaran tanpa izin dicatat untuk tindak lanjut."
BAYU_SUMMARY = "Perbaikan switch jaringan lantai 2 selesai; baru sempat melapor setelah pekerjaan tuntas."
FAR_AWAY = (-1.4852, 103.8921)  # about 35 km from Bambang's home: the Muara Jambi temples


@dataclass
class DemoSummary:
    day: dt.date
    people: int
    briefings: int
    on_time: int
    late: int
    missing: int
    excused: int
    reminders: int
    escalations: int
    digests: int
    pictures: int
    files: list[Path]
    export: Path | None
    seconds: float
    flags_seen: bool = False  # whether the core flagged the reused screenshot or the far location


@dataclass
class _Entry:
    at: dt.datetime
    incoming: bool  # True: what the person did; False: what Apel said to them
    body: str
    buttons: tuple[str, ...] = ()
    attachment: str | None = None


@dataclass
class _Person:
    id: int
    nip: str
    name: str
    position: str
    unit: str
    timezone: str
    language: str | None
    home: tuple[float, float] | None
    mode: str = "wfo"

    @property
    def sender(self) -> str:
        return f"console:{self.nip}"


@dataclass
class _Counts:
    briefings: int = 0
    reminders: int = 0
    escalations: int = 0
    digests: int = 0
    pictures: int = 0


class _Fetcher:
    """Files the simulated people 'upload', by reference."""

    def __init__(self):
        self.files: dict[str, bytes] = {}

    def add(self, content: bytes) -> str:
        ref = f"demo-file-{len(self.files) + 1}"
        self.files[ref] = content
        return ref

    async def fetch(self, file_ref: str) -> bytes:
        return self.files[file_ref]


def slug(name: str) -> str:
    """'Dr. Eko Pratama, S.Kom., M.Kom.' -> 'eko-pratama': the name without titles, for file names."""
    core = name.split(",")[0]
    core = re.sub(r"^(?:(?:Dr|Ir|Drs|Dra|H|Hj|Prof)\.\s*)+", "", core.strip())
    ascii_name = unicodedata.normalize("NFKD", core).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "orang"


def short_name(name: str) -> str:
    return name.split(",")[0].strip()


_TAGS = re.compile(r"</?(?:b|i|code)>")


def _plain_lines(body: str) -> list[str]:
    """The core's small HTML subset as plain lines (the console's `plain` without the markup)."""
    return [html.unescape(_TAGS.sub("", line)).rstrip() for line in body.splitlines() if line.strip()]


def _clip(line: str, width: int = LINE_CHARS) -> str:
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


# ------------------------------------------------------------------------------------------------ screens

APP_COLOURS = [(0, 105, 92), (21, 101, 192), (123, 31, 162), (198, 40, 40), (239, 108, 0), (46, 125, 50),
               (69, 90, 100), (173, 20, 87), (0, 131, 143), (93, 64, 55)]


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ImportError, TypeError):
        return ImageFont.load_default()


def fake_screen(seed: str, app: str, title: str, owner: str, fmt: str = "JPEG") -> bytes:
    """A screenshot of an office app: status bar, coloured header, a card with the task, a bar chart, a
    list. Each seed gives other colours, bars and numbers, so no two people's screens are the same file."""
    rng = random.Random(seed)
    width, height = 640, 720  # the collage's centre crop keeps the app's name
    colour = APP_COLOURS[rng.randrange(len(APP_COLOURS))]
    light = tuple(min(255, c + 70) for c in colour)
    image = Image.new("RGB", (width, height), (246, 247, 249))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 30), fill=tuple(max(c - 40, 0) for c in colour))
    draw.text((16, 15), f"{rng.randint(8, 11):02d}.{rng.randint(0, 59):02d}", font=_font(18), fill="white",
              anchor="lm")
    draw.rectangle((width - 52, 9, width - 18, 21), outline="white", width=2)
    draw.rectangle((width - 50, 11, width - 50 + rng.randint(8, 30), 19), fill="white")
    draw.rectangle((0, 30, width, 110), fill=colour)
    draw.text((24, 70), app, font=_font(34), fill="white", anchor="lm")
    y = 126
    draw.rounded_rectangle((16, y, width - 16, y + 120), radius=14, fill="white", outline=(222, 226, 230))
    draw.text((32, y + 28), _clip(title, 46), font=_font(22), fill=(32, 33, 36), anchor="lm")
    draw.text((32, y + 60), owner, font=_font(19), fill=(95, 99, 104), anchor="lm")
    progress = rng.randint(35, 100)
    draw.rounded_rectangle((32, y + 86, width - 110, y + 100), radius=7, fill=(225, 229, 234))
    draw.rounded_rectangle((32, y + 86, 32 + (width - 142) * progress // 100, y + 100), radius=7, fill=colour)
    draw.text((width - 32, y + 93), f"{progress}%", font=_font(20), fill=(95, 99, 104), anchor="rm")
    y += 136
    draw.rounded_rectangle((16, y, width - 16, y + 210), radius=14, fill="white", outline=(222, 226, 230))
    bars = rng.randint(5, 9)
    step = (width - 80) / bars
    for i in range(bars):
        h = rng.randint(30, 170)
        shade = tuple(min(255, c + rng.randint(0, 90)) for c in colour)
        draw.rectangle((40 + i * step + 6, y + 190 - h, 40 + (i + 1) * step - 6, y + 190), fill=shade)
    y += 226
    while y + 70 <= height - 76:
        draw.rounded_rectangle((16, y, width - 16, y + 70), radius=12, fill="white", outline=(222, 226, 230))
        draw.ellipse((30, y + 15, 70, y + 55), fill=light)
        draw.rounded_rectangle((86, y + 18, 86 + rng.randint(180, 420), y + 32), radius=6, fill=(200, 205, 212))
        draw.rounded_rectangle((86, y + 42, 86 + rng.randint(80, 260), y + 54), radius=6, fill=(225, 229, 234))
        y += 80
    draw.rectangle((0, height - 64, width, height), fill="white")
    for i in range(4):
        cx = width * (2 * i + 1) / 8
        draw.ellipse((cx - 14, height - 46, cx + 14, height - 18), fill=colour if i == 0 else (189, 193, 198))
    out = io.BytesIO()
    if fmt == "PNG":
        image.save(out, "PNG", compress_level=3)
    else:
        image.save(out, "JPEG", quality=82)
    return out.getvalue()


def _work_of(unit: str) -> tuple[str, str, str]:
    for key, value in WORK.items():
        if key and key in unit:
            return value
    return WORK[""]


distance_km = km_between


# ------------------------------------------------------------------------------------------------- the day


class _Office:
    """The simulated people around the real core, and what each of them saw."""

    def __init__(self, db: Database, clock: ScriptedClock, *, media_dir: Path, out_dir: Path,
                 show: Callable[[str], None], lang: str):
        self.db, self.clock, self.out_dir, self.show, self.lang = db, clock, out_dir, show, lang
        self.fetcher = _Fetcher()
        self.events = itertools.count(1)
        self.conversation = Conversation(
            db.uow, clock=clock, media=FileMediaStore(media_dir), sheets=UploadedSheetReader(),
            default_language=lang, default_timezone=WIB, links=LinkSettings(None, None),
            invite_ttl=dt.timedelta(days=14), pseudonym_key=secrets.token_bytes(32),
        )
        self.routine = Routine(db.uow, clock=clock, default_language=lang, pictures=PillowPictures())
        self.people: dict[str, _Person] = {}
        self.by_id: dict[int, _Person] = {}
        self.log: dict[int, list[_Entry]] = defaultdict(list)
        self.labels: dict[int, dict[str, str]] = defaultdict(dict)  # person -> action -> button label
        self.counts = _Counts()
        self.files: list[Path] = []
        self.flags_seen = False
        self.screens: dict[str, bytes] = {}
        self.day = DAY

    def t(self, key: str, **params) -> str:
        return text(self.lang, key, **params)

    def note(self, line: str, style: str | None = None) -> None:
        """One line of the day's timeline, with the time in WIB."""
        body = f"[{style}]{escape(line)}[/{style}]" if style else escape(line)
        self.show(f"[dim]{format_clock(self.clock.now(), WIB)}[/dim]  {body}")

    # -------------------------------------------------------------------------------------- people act

    async def send(self, nip: str, described: str, **fields) -> list[Outgoing]:
        person = self.people[nip]
        inbound = Inbound(channel=Channel.CONSOLE, sender=person.sender, event_key=f"demo:{next(self.events)}",
                          at=self.clock.now(), **fields)
        self.log[person.id].append(_Entry(self.clock.now(), True, described))
        out = await self.conversation.handle(inbound, self.fetcher)
        self.record(out)
        self.clock.advance(seconds=10)  # people take a moment between taps
        return out

    async def say(self, nip: str, words: str) -> list[Outgoing]:
        return await self.send(nip, words, text=words)

    async def tap(self, nip: str, action: str) -> list[Outgoing]:
        label = self.labels[self.people[nip].id].get(action, action)
        return await self.send(nip, f"[{label}]", tap=action)

    async def photo(self, nip: str, content: bytes, name: str) -> list[Outgoing]:
        ref = self.fetcher.add(content)
        return await self.send(nip, self.t("demo.in_photo", name=name),
                               media=MediaIn(ref, None, "image/jpeg", len(content), True))

    async def file(self, nip: str, content: bytes, name: str, mime: str) -> list[Outgoing]:
        ref = self.fetcher.add(content)
        return await self.send(nip, self.t("demo.in_file", name=name),
                               media=MediaIn(ref, name, mime, len(content), False))

    async def location(self, nip: str, lat: float, lon: float, *, live: bool = False) -> list[Outgoing]:
        key = "demo.in_live" if live else "demo.in_location"
        loc = LocationIn(lat, lon, accuracy_m=12.0, live_period_s=8 * 3600 if live else None,
                         live_key=f"live-{nip}" if live else None)
        return await self.send(nip, self.t(key, lat=f"{lat:.5f}", lon=f"{lon:.5f}"), location=loc)

    async def move(self, nip: str, lat: float, lon: float) -> list[Outgoing]:
        loc = LocationIn(lat, lon, accuracy_m=15.0, live_key=f"live-{nip}", is_update=True)
        return await self.send(nip, self.t("demo.in_move", lat=f"{lat:.5f}", lon=f"{lon:.5f}"), location=loc)

    def near_home(self, nip: str, metres: float = 60.0) -> tuple[float, float]:
        person = self.people[nip]
        lat, lon = person.home or (-1.6101, 103.6131)  # no home stored: the office
        rng = random.Random(f"{nip}:{self.clock.now().isoformat()}")
        angle, r = rng.uniform(0, 2 * math.pi), rng.uniform(0, metres) / 111_000
        return round(lat + r * math.sin(angle), 6), round(lon + r * math.cos(angle), 6)

    def screen(self, nip: str, fmt: str = "JPEG") -> bytes:
        person = self.people[nip]
        app, task, _ = _work_of(person.unit)
        if nip in (AGUS, FIRDAUS_AW, RAHMAT_S):  # the three who got Siti's task
            app, task = "e-Layanan 2.3 (uji coba)", ASSIGNED_TASK
        content = fake_screen(f"{nip}:{fmt}", app, task, short_name(person.name), fmt)
        self.screens[nip] = content
        return content

    async def report(self, nip: str, summary: str, *, start: str = "/lapor") -> list[Outgoing]:
        """/lapor: every open task marked done, Next, the summary, Send."""
        out = await (self.say(nip, start) if start.startswith("/") else self.tap(nip, start))
        for _ in range(10):
            todo = [a for a in _actions(out, nip) if a.startswith("r:t:") and a.endswith(":done")]
            if not todo:
                break
            out = await self.tap(nip, todo[0])
        if "r:next" in _actions(out, self.people[nip].sender):
            out = await self.tap(nip, "r:next")
        await self.say(nip, summary)
        return await self.tap(nip, "r:send")

    # -------------------------------------------------------------------------------------- the core acts

    async def tick(self) -> None:
        """The routine's clock at this instant: the same steps `Routine.tick` runs, asked one by one so
        the timeline can say what each sent; then `tick()` itself for what remains (the review rung)."""
        now = self.clock.now()
        briefings = await self.routine.briefings(now)
        reminders = await self.routine.reminders(now)
        escalations = await self.routine.escalations(now)
        digests = await self.routine.digests(now)
        rest = await self.routine.tick()
        for batch in (briefings, reminders, escalations, digests, rest):
            self.record(batch)
        texts = [o for o in digests if o.reply.attachment is None]
        pictures = [o for o in digests if o.reply.attachment is not None]
        self.counts.briefings += len(briefings)
        self.counts.reminders += len(reminders)
        self.counts.escalations += len(escalations)
        self.counts.digests += len(texts)
        self.counts.pictures += len(pictures)
        parts = []
        if briefings:
            parts.append(self.t("demo.tick_briefings", count=len(briefings)))
        if reminders:
            parts.append(self.t("demo.tick_reminders", count=len(reminders)))
        if escalations:
            parts.append(self.t("demo.tick_escalations", count=len(escalations),
                                names=", ".join(sorted({short_name(self.by_id[o.person_id].name)
                                                        for o in escalations}))))
        if texts:
            parts.append(self.t("demo.tick_digests", count=len(texts), pictures=len(pictures)))
        if rest:
            parts.append(self.t("demo.tick_unreviewed", count=len(rest)))
        if parts:
            self.note(self.t("demo.tick", what="; ".join(parts)))

    def record(self, out: list[Outgoing]) -> None:
        for o in out:
            if o.person_id is None or o.person_id not in self.by_id:
                continue
            reply = o.reply
            labels = tuple(b.label for row in reply.buttons for b in row)
            for row in reply.buttons:
                for b in row:
                    if b.action:
                        self.labels[o.person_id][b.action] = b.label
            written = self.save_picture(o) if reply.attachment else None
            attachment = None
            if reply.attachment:
                attachment = self.t("demo.attachment_written", name=reply.attachment.filename, path=str(written)) \
                    if written else reply.attachment.filename
            self.log[o.person_id].append(_Entry(self.clock.now(), False, reply.text, labels, attachment))

    def save_picture(self, o: Outgoing) -> Path | None:
        """Digest pictures to `out_dir`, named after their supervisor: rekap-<name>.png, bukti-<name>.jpg."""
        attachment = o.reply.attachment
        if attachment.content is None or not attachment.filename.startswith(("rekap-", "bukti-")):
            return None
        kind = "rekap" if attachment.filename.startswith("rekap-") else "bukti"
        suffix = Path(attachment.filename).suffix or (".png" if kind == "rekap" else ".jpg")
        target = self.out_dir / f"{kind}-{slug(self.by_id[o.person_id].name)}{suffix}"
        target.write_bytes(attachment.content)
        if target not in self.files:
            self.files.append(target)
        return target

    # -------------------------------------------------------------------------------------- printing

    def print_person(self, nip: str) -> None:
        person = self.people[nip]
        zone = format_clock(self.clock.now(), person.timezone).split()[-1]
        self.show("")
        self.show("[bold cyan]" + escape(self.t("demo.person", name=person.name, position=person.position,
                                                   unit=person.unit, zone=zone)) + "[/bold cyan]")
        for entry in self.log[person.id]:
            stamp = format_clock(entry.at, person.timezone).split()[0]
            lines = _plain_lines(entry.body) or [""]
            if entry.incoming:
                self.show(f"[dim]{stamp}[/dim] [green]›[/green] [green]{escape(_clip(lines[0]))}[/green]")
                continue
            shown, hidden = lines[:MESSAGE_LINES], len(lines) - MESSAGE_LINES
            self.show(f"[dim]{stamp}[/dim] ‹ {escape(_clip(shown[0]))}")
            for line in shown[1:]:
                self.show(f"        {escape(_clip(line))}")
            if hidden > 0:
                self.show("        [dim]" + escape(self.t("demo.more_lines", count=hidden)) + "[/dim]")
            if entry.attachment:
                self.show(f"        [cyan]📎 {escape(entry.attachment)}[/cyan]")
            if entry.buttons:
                buttons = " ".join(f"[{b}]" for b in entry.buttons[:6])
                more = f" +{len(entry.buttons) - 6}" if len(entry.buttons) > 6 else ""
                self.show(f"        [magenta]{escape(_clip(buttons + more))}[/magenta]")


def _actions(out: list[Outgoing], to: str) -> list[str]:
    if not to.startswith("console:"):
        to = f"console:{to}"
    return [b.action for o in out if o.external_id == to for row in o.reply.buttons for b in row if b.action]


async def _prepare(db: Database, clock: ScriptedClock) -> None:
    await upgrade(db.engine)
    with open_sheet(sample_path()) as sheet:
        report = await import_org_chart(db.uow, sheet.header, sheet.rows, clock=clock, default_timezone=WIB,
                                        actor="demo")
    if report.errors:
        raise RuntimeError(f"the sample office did not import: {report.errors[:3]}")


def sample_path() -> Path:
    """The sample office that ships with Apel (the same file `apel org sample` loads)."""
    return Path(str(resources.files("bot.samples").joinpath("sample_office.csv")))


def _homes() -> dict[str, tuple[float, float]]:
    with open(sample_path(), encoding="utf-8") as f:
        return {r["nip"]: (float(r["home_lat"]), float(r["home_lon"]))
                for r in csv.DictReader(f) if r.get("home_lat") and r.get("home_lon")}


async def play_day(out_dir: Path, *, show: Callable[[str], None], day: dt.date = DAY,
                   lang: str = "id") -> DemoSummary:
    """Play one working day of the sample office; pictures and the month's export go to `out_dir`."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="apel-demo-") as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'apel.db'}")
        try:
            clock = ScriptedClock(dt.datetime.combine(day, dt.time(6, 0), ZoneInfo(WIB)))
            await _prepare(db, clock)
            office = _Office(db, clock, media_dir=Path(tmp) / "media", out_dir=out_dir, show=show, lang=lang)
            summary = await _the_day(office, day)
        finally:
            await db.dispose()
    summary.seconds = round(time.perf_counter() - started, 1)
    show("")
    show("[bold]" + escape(office.t(
        "demo.summary", people=summary.people, briefings=summary.briefings, on_time=summary.on_time,
        late=summary.late, missing=summary.missing, excused=summary.excused, reminders=summary.reminders,
        escalations=summary.escalations, digests=summary.digests, pictures=summary.pictures,
        files=len(summary.files), path=str(out_dir), seconds=f"{summary.seconds:.1f}")) + "[/bold]")
    return summary


async def _the_day(office: _Office, day: dt.date) -> DemoSummary:
    clock, t, show = office.clock, office.t, office.show
    office.day = day
    homes = _homes()
    async with office.db.uow() as uow:
        rows = await uow.org.list_people(None, include_inactive=False)
    for row in rows:
        await console_login(office.db.uow, clock=clock, nip=row.nip)
    async with office.db.uow() as uow:
        actors = await uow.people.actors([r.id for r in rows])
    for row in rows:
        actor = actors[row.id]
        person = _Person(row.id, row.nip, row.name, row.position, row.unit, actor.timezone, actor.language,
                         homes.get(row.nip))
        office.people[row.nip] = person
        office.by_id[row.id] = person
    people = office.people
    unit_count = len({p.unit for p in people.values()})
    show("[bold]" + escape(t("demo.title", date=format_date(day, office.lang), people=len(people),
                                units=unit_count)) + "[/bold]")
    show("[dim]" + escape(t("demo.throwaway")) + "[/dim]")
    show("")

    # 06.30 WIB: the admin makes the week's rotation; it is 07.30 in the UPTD (WITA): their apel.
    clock.at(day, "06.30")
    admin = people[ADMIN]
    monday = day - dt.timedelta(days=day.weekday())
    async with office.db.uow() as uow:
        roster = await generate_roster(uow, start=monday, end=monday + dt.timedelta(days=4), unit=None,
                                       actor=f"person:{admin.id}", now=clock.now())
        await uow.commit()
    async with office.db.uow() as uow:
        modes = await uow.day.work_days_for(list(office.by_id), day)
    for pid, record in modes.items():
        office.by_id[pid].mode = record.mode
    wfh_today = sum(1 for p in people.values() if p.mode == "wfh")
    office.note(t("demo.roster", name=short_name(admin.name), written=roster.written, wfh=wfh_today))
    await office.tick()

    # 06.45: Hasan asks for cuti before apel; his section head approves.
    clock.at(day, "06.45")
    hasan, irfan = people[HASAN_S], people[IRFAN]
    await office.say(HASAN_S, "/izin")
    await office.tap(HASAN_S, "lv:cuti")
    await office.tap(HASAN_S, "lv:days:1")
    asked = await office.say(HASAN_S, LEAVE_REASON)
    clock.at(day, "07.05")
    decision = next(a for a in _actions(asked, IRFAN) if a.startswith("lvd:") and a.endswith(":y"))
    await office.tap(IRFAN, decision)
    office.note(t("demo.leave", name=short_name(hasan.name), boss=short_name(irfan.name)))

    # 07.30 WIB: apel. Briefings for everyone in WIB; people acknowledge.
    clock.at(day, "07.30")
    await office.tick()
    ordinary = [p.nip for p in people.values() if p.nip not in SCRIPTED]
    clock.at(day, "07.31")
    for i, nip in enumerate([RIZKI, AGUS, TEGUH, HASNA, BAYU_RS] + ordinary):
        if i % 7 == 6:
            continue  # some never press ✅ Siap: the digest does not need it
        await office.tap(nip, f"ack:{day:%Y%m%d}")

    # 08.15: Siti assigns a task to three of her people.
    clock.at(day, "08.15")
    siti = people[SITI]
    await office.say(SITI, "/tugaskan")
    for nip in (AGUS, FIRDAUS_AW, RAHMAT_S):
        await office.tap(SITI, f"asg:p:{people[nip].id}")
    await office.tap(SITI, "asg:go")
    due = await office.say(SITI, ASSIGNED_TASK)
    today = next(a for a in _actions(due, SITI) if a == f"asg:d:{day:%Y%m%d}")
    await office.tap(SITI, today)
    office.note(t("demo.assigned", boss=short_name(siti.name), title=ASSIGNED_TASK, count=3))

    # 08.30: Rizki plans his day and shares a live location from home.
    clock.at(day, "08.30")
    await office.say(RIZKI, "/tugas")
    await office.tap(RIZKI, "t:add")
    await office.say(RIZKI, RIZKI_TASK)
    await office.location(RIZKI, *office.near_home(RIZKI, 20), live=True)

    # 08.40 – 11.30: the ordinary morning — own tasks, screenshots, locations from home.
    clock.at(day, "08.40")
    for i, nip in enumerate(ordinary):
        if nip == BUDI_DEDI:
            continue  # his screenshot comes later
        _, task, _ = _work_of(people[nip].unit)
        if i % 2 == 0 and nip not in (FIRDAUS_AW, RAHMAT_S):
            await office.say(nip, "/tugas")
            await office.tap(nip, "t:add")
            await office.say(nip, task)
        await office.photo(nip, office.screen(nip), f"layar-{slug(people[nip].name)}.jpg")
        if people[nip].mode == "wfh" and nip != BAMBANG:  # at home: a live location for the day
            await office.location(nip, *office.near_home(nip), live=True)
        clock.advance(minutes=1)

    clock.at(day, "10.10")
    await office.photo(AGUS, office.screen(AGUS), "layar-agus.jpg")
    await office.photo(HASNA, office.screen(HASNA), "layar-hasnawati.jpg")
    await office.photo(BAYU_RS, office.screen(BAYU_RS), "layar-bayu.jpg")

    clock.at(day, "10.20")  # the reused screenshot: Budi sends the picture Agus sent
    budi = people[BUDI_DEDI]
    reused = await office.photo(BUDI_DEDI, office.screens[AGUS], "layar-agus.jpg")
    office.note(t("demo.reused", name=short_name(budi.name), other=short_name(people[AGUS].name)))
    office.note(*await _flag_note(office, BUDI_DEDI, reused))

    clock.at(day, "10.35")  # off-geofence: Bambang shares a location far from his home
    bambang = people[BAMBANG]
    far = await office.location(BAMBANG, *FAR_AWAY)
    km = distance_km(bambang.home, FAR_AWAY) if bambang.home else 0.0
    office.note(t("demo.off_geofence", name=short_name(bambang.name), km=f"{km:.0f}"))
    office.note(*await _flag_note(office, BAMBANG, far))

    clock.at(day, "10.50")
    await office.file(RIZKI, office.screen(RIZKI, "PNG"), "rekonsiliasi-kas.png", "image/png")
    await office.move(RIZKI, *office.near_home(RIZKI, 40))
    clock.at(day, "11.40")
    tasks = await office.say(RIZKI, "/tugas")
    done = next(a for a in _actions(tasks, RIZKI) if a.startswith("t:") and a.endswith(":done"))
    await office.tap(RIZKI, done)
    await office.move(RIZKI, *office.near_home(RIZKI, 40))

    # 13.00 – 13.59: most reports, the UPTD (WITA) first: it is already 14.00 there.
    clock.at(day, "13.00")
    wita_first = sorted(ordinary, key=lambda n: people[n].timezone != WITA)
    first_wave, second_wave = wita_first[:-LATE_WAVE], wita_first[-LATE_WAVE:]
    for nip in first_wave:
        if people[nip].mode == "wfh" and nip != BAMBANG:
            await office.move(nip, *office.near_home(nip))  # the live location moved (silently stored)
        await office.report(nip, _work_of(people[nip].unit)[2])
        clock.advance(seconds=20)
    office.note(t("demo.reports_wave", count=len(first_wave)))

    clock.at(day, "14.00")
    await office.tick()  # 15.00 WITA: the first reminder in the UPTD
    clock.at(day, "14.20")
    await office.report(RIZKI, RIZKI_SUMMARY)
    clock.at(day, "14.40")
    await office.report(AGUS, AGUS_FIRST)
    clock.at(day, "14.45")
    await office.tick()
    clock.at(day, "15.00")
    await office.tick()  # the WIB reminder; the UPTD's deadline (16.00 WITA) has passed

    clock.at(day, "15.10")
    await office.report(HASNA, HASNA_SUMMARY)  # 16.10 WITA: late
    office.note(t("demo.late", name=short_name(people[HASNA].name),
                  time=format_clock(clock.now(), people[HASNA].timezone)))

    # 15.15: Siti looks at her team before the deadline and returns Agus's report.
    clock.at(day, "15.15")
    board = await office.say(SITI, "/rekap")
    agus = people[AGUS]
    give_back = next(a for a in _actions(board, SITI) if a.startswith("rt:")
                     and _report_owner(board, a, SITI) == agus.id)
    await office.tap(SITI, give_back)
    await office.say(SITI, RETURN_NOTE)
    clock.at(day, "15.25")
    again = await office.report(AGUS, AGUS_SECOND, start="lapor")  # the 📝 button under the returned notice
    clock.at(day, "15.30")
    await office.tick()
    clock.at(day, "15.32")
    approve = next(a for a in _actions(again, SITI) if a.startswith("ap:"))
    await office.tap(SITI, approve)
    office.note(t("demo.returned", boss=short_name(siti.name), name=short_name(agus.name)))

    clock.at(day, "15.34")
    for nip in second_wave:  # after the reminder, still before 16.00
        await office.report(nip, _work_of(people[nip].unit)[2])
        clock.advance(seconds=30)
    office.note(t("demo.reports_wave", count=len(second_wave)))
    clock.at(day, "15.45")
    await office.tick()
    clock.at(day, "16.00")
    await office.tick()

    clock.at(day, "16.20")
    await office.report(BAYU_RS, BAYU_SUMMARY)
    office.note(t("demo.late", name=short_name(people[BAYU_RS].name),
                  time=format_clock(clock.now(), people[BAYU_RS].timezone)))
    office.note(t("demo.missing", name=short_name(people[TEGUH].name)))

    clock.at(day, "16.30")
    await office.tick()
    clock.at(day, "16.40")
    intan = people[INTAN]
    await office.tap(INTAN, f"apall:{day:%Y%m%d}")
    office.note(t("demo.approve_all", boss=short_name(intan.name)))
    for moment in ("17.00", "17.30", "18.00", "18.30"):
        clock.at(day, moment)
        await office.tick()

    # The month's export, when that module is there.
    export_path = await _export(office, day)

    # The conversations.
    show("")
    show("[bold]" + escape(t("demo.conversations")) + "[/bold]")
    for nip in MAIN:
        office.print_person(nip)

    show("")
    show("[bold]" + escape(t("demo.files", path=str(office.out_dir))) + "[/bold]")
    for path in office.files:
        show(f"  {escape(str(path))}  [dim]({path.stat().st_size // 1024} KB)[/dim]")

    async with office.db.uow() as uow:
        lines = await digest.lines_for(uow, {p.id: p.name for p in people.values()}, day)
    status = Counter(line.status for line in lines.values())
    return DemoSummary(
        day=day, people=len(people), briefings=office.counts.briefings, on_time=status["on_time"],
        late=status["late"], missing=status["missing"], excused=status["excused"],
        reminders=office.counts.reminders, escalations=office.counts.escalations, digests=office.counts.digests,
        pictures=office.counts.pictures, files=list(office.files), export=export_path, seconds=0.0,
        flags_seen=office.flags_seen,
    )


def _report_owner(out: list[Outgoing], review_action: str, to: str) -> int | None:
    """Whose report a digest's ✅/↩️ button is for: the 👁 button of the same row names the person."""
    for o in out:
        if o.external_id != f"console:{to}":
            continue
        for row in o.reply.buttons:
            acts = [b.action or "" for b in row]
            if review_action in acts:
                eye = next((a for a in acts if a.startswith("tim:")), None)
                return int(eye.split(":")[1]) if eye else None
    return None


async def _flag_note(office: _Office, nip: str, replies: list[Outgoing]) -> tuple[str, str]:
    """What the evidence checks said about it, or that they come later: flags in the digest data, or a
    warning in the reply (⚠️)."""
    person = office.people[nip]
    async with office.db.uow() as uow:
        found = await digests_for(uow, day=office.day, unit=person.unit)
    flags = [f["kind"] for item in found for rec in as_record(item, office.day)["people"] if rec["nip"] == nip
             for f in rec.get("flags", [])]
    warned = [o.reply.text for o in replies if o.external_id == person.sender and "⚠" in o.reply.text]
    if flags or warned:
        office.flags_seen = True
        return office.t("demo.flagged", flags=", ".join(flags) or _plain_lines(warned[0])[0]), "bold yellow"
    return office.t("demo.flag_later"), "dim"


async def _export(office: _Office, day: dt.date) -> Path | None:
    try:
        from bot.exports.workbook import write_xlsx
        from bot.services.month_export import build_month
    except Exception as exc:  # noqa: BLE001 - another change is writing it; the demo runs without it
        office.note(office.t("demo.export_skipped", reason=type(exc).__name__), "yellow")
        return None
    target = office.out_dir / f"apel-{day:%Y-%m}.xlsx"
    async with office.db.uow() as uow:
        export = await build_month(uow, month=day.replace(day=1), unit=None, now=office.clock.now(),
                                   lang=office.lang)
    await asyncio.to_thread(write_xlsx, export, target)
    office.files.append(target)
    office.note(office.t("demo.export_written", month=f"{day:%Y-%m}", path=str(target), people=len(export.people)))
    return target


__all__ = ["DAY", "DemoSummary", "ScriptedClock", "fake_screen", "play_day", "slug"]
