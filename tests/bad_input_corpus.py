"""The bad-input corpus for the Telegram path (issue #9): what people and Telegram may send that is
wrong, odd or hostile, and what the bot must answer. Run by tests/test_bad_input_chat.py.

A case is steps for one sender; only the last step is the bad input (the ones before bring the person
to the state where it matters, e.g. "waiting for a task title"). `expect` is a fragment of the reply
in the sender's language (None: nothing is sent, since nobody wrote); `writes` names the data tables the
last step may change (empty: nothing at all). Placeholders in steps are filled by the runner:
{task} Rudi's task, {report} Rudi's submitted report, {today}/{yesterday} as yyyymmdd."""

from __future__ import annotations

from dataclasses import dataclass, field

RUDI, DEWI, BUDI, SITI, STRANGER = 501, 502, 500, 503, 777  # staff · his supervisor · admin · English · nobody

# Fragments of the catalog texts the cases expect (bot/texts); the English ones prove the language.
UNSUPPORTED = "jenis pesan ini tidak dapat diproses"
UNSUPPORTED_EN = "this kind of message cannot be processed"
NOT_AVAILABLE = "sudah tidak berlaku"
NOT_AVAILABLE_EN = "no longer valid"
EXPIRED = "dari hari lain"
REFUSED = "kode undangan ini tidak dapat dipakai"
UNKNOWN_TEXT = "Pesan diterima"
UNKNOWN_COMMAND = "Perintah itu tidak dikenal"
UNKNOWN_COMMAND_EN = "Unknown command"
BAD_TITLE = "tidak boleh kosong"
BAD_SUMMARY = "Ringkasan tidak boleh kosong"
TASK_ADDED = "Tugas ditambahkan"
BAD_LOCATION = "Koordinat lokasi ini tidak sah"
BAD_LOCATION_EN = "coordinates"

HOSTILE_TEXTS = {
    "script-tag": "<script>alert('x')</script>",
    "closing-b": "</b> laporan",
    "amp-entity": "&amp; &lt; &#0; &bogus;",
    "anchor": '<a href="javascript:alert(1)">klik</a>',
    "sql": "'; DROP TABLE person;--",
    "format-braces": "{name} {0} {title!r} {",
    "percent-s": "%s %d %(name)s",
    "every-html-char": "< > & \" ' <> </> &&",
    "nul-and-controls": "Rapat\x00 koordinasi\x01\x1b[31m",
    "emoji-zwj": "👨‍👩‍👧‍👦 🏳️‍🌈 rekap 🇮🇩",
    "arabic-rtl": "مراجعة التقرير اليومي",
    "hebrew-rtl": "\u202eדו\"ח יומי\u202c",
    "combining": "Z̴̡͓a̷l̶g̵o̸ ̷t̶e̴x̷t̶ e\u0301\u0301\u0301",
}

STICKER = {"sticker": {"file_id": "st", "file_unique_id": "st", "type": "regular", "width": 512, "height": 512,
                       "is_animated": False, "is_video": False}}
PRIVATE = {"id": RUDI, "type": "private", "first_name": "Rudi"}


@dataclass(frozen=True)
class Case:
    id: str
    steps: tuple[tuple, ...]  # ("say", text) · ("tap", data) · ("msg", content) · ("edit", content) · ("raw", update)
    expect: str | None
    who: int = RUDI
    writes: frozenset[str] = field(default_factory=frozenset)
    files: dict[str, bytes] = field(default_factory=dict)  # file_id → content served by the fake Bot API


def _title(name: str, text: str) -> Case:
    # Accepted and stored as typed (controls aside), shown escaped: HTML must still parse.
    return Case(f"task-title-{name}", (("tap", "t:add"), ("say", text)), TASK_ADDED, writes=frozenset({"task"}))


def _summary(name: str, text: str) -> Case:
    # The summary waits in the conversation state until it is sent: the preview must parse as HTML.
    return Case(f"report-summary-{name}", (("say", "/lapor"), ("tap", "r:next"), ("say", text)), "Langkah 3")


def _block_reason(name: str, text: str) -> Case:
    return Case(f"block-reason-{name}", (("tap", "t:{task}:block"), ("say", text)), "Kendala dicatat",
                writes=frozenset({"task"}))


def _location(**fields) -> tuple:
    return ("msg", {"location": fields})


UPDATE_KINDS = [
    Case("channel-post", (("raw", {"channel_post": {"message_id": 1, "date": 0, "text": "info",
                                                   "chat": {"id": -100777, "type": "channel", "title": "Info"}}}),),
         None),
    Case("poll-update", (("raw", {"poll": {"id": "p1", "question": "Rapat?", "options": [], "total_voter_count": 0,
                                           "is_closed": False, "is_anonymous": True, "type": "regular",
                                           "allows_multiple_answers": False, "allows_revoting": False,
                                           "members_only": False}}),), None),
    Case("my-chat-member-blocked", (("raw", {"my_chat_member": {
        "chat": PRIVATE, "from": {"id": RUDI, "is_bot": False, "first_name": "Rudi"}, "date": 0,
        "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "Apel"}},
        "new_chat_member": {"status": "kicked", "until_date": 0,
                            "user": {"id": 1, "is_bot": True, "first_name": "Apel"}}}}),), None),
    Case("only-update-id", (("raw", {}),), None),
    Case("message-without-from", (("raw", {"message": {"message_id": 3, "date": 0, "chat": PRIVATE, "text": "/status"}}),),
         None),
    Case("group-message-from-a-linked-person", (("raw", {"message": {
        "message_id": 4, "date": 0, "text": "/status", "from": {"id": RUDI, "is_bot": False, "first_name": "Rudi"},
        "chat": {"id": -100123, "type": "supergroup", "title": "Kantor"}}}),), None),
    Case("message-from-another-bot", (("raw", {"message": {
        "message_id": 5, "date": 0, "text": "/status", "from": {"id": RUDI, "is_bot": True, "first_name": "Bot"},
        "chat": PRIVATE}}),), None),
    Case("edited-text-is-not-reread", (("edit", {"text": "/umumkan semua"}),), None),
    Case("service-message", (("msg", {"pinned_message": {"message_id": 9, "date": 0, "chat": PRIVATE}}),), None),
    Case("sticker", (("msg", STICKER),), UNSUPPORTED),
    Case("sticker-english", (("msg", STICKER),), UNSUPPORTED_EN, who=SITI),
    Case("sticker-from-a-stranger", (("msg", STICKER),), REFUSED, who=STRANGER),
    Case("contact", (("msg", {"contact": {"phone_number": "+6281200000009", "first_name": "Ani"}}),), UNSUPPORTED),
    Case("voice-note", (("msg", {"voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 4}}),), UNSUPPORTED),
    Case("dice", (("msg", {"dice": {"emoji": "🎲", "value": 6}}),), UNSUPPORTED),
    Case("video-note", (("msg", {"video_note": {"file_id": "vn", "file_unique_id": "vn", "length": 240,
                                                "duration": 3}}),), UNSUPPORTED),
    Case("poll-in-a-message", (("msg", {"poll": {"id": "p2", "question": "?", "options": [], "total_voter_count": 0,
                                                 "is_closed": False, "is_anonymous": False, "type": "regular",
                                                 "allows_multiple_answers": False, "allows_revoting": False,
                                                 "members_only": False}}),), UNSUPPORTED),
]

TEXTS = [
    Case("whitespace-only", (("say", " \u200b\t "),), UNKNOWN_TEXT),
    Case("nul-only", (("say", "\x00\x00"),), UNKNOWN_TEXT),
    Case("text-4096", (("say", "x" * 4096),), UNKNOWN_TEXT),
    Case("text-4096-english", (("say", "ﷺ" * 4096),), "Message received", who=SITI),
    Case("task-title-4096", (("tap", "t:add"), ("say", "x" * 4096)), BAD_TITLE),
    Case("task-title-controls-only", (("tap", "t:add"), ("say", "\x00\x01\x02\x7f")), BAD_TITLE),
    Case("report-summary-4096", (("say", "/lapor"), ("tap", "r:next"), ("say", "y" * 4096)), BAD_SUMMARY),
    *[_title(name, text) for name, text in HOSTILE_TEXTS.items()],
    *[_summary(name, HOSTILE_TEXTS[name]) for name in ("script-tag", "closing-b", "format-braces",
                                                        "nul-and-controls", "hebrew-rtl")],
    *[_block_reason(name, HOSTILE_TEXTS[name]) for name in ("anchor", "sql", "every-html-char")],
]

COMMANDS = [
    Case("izin-without-arguments", (("say", "/izin"),), "Mau mengajukan apa?"),
    Case("izin-with-garbage", (("say", "/izin besok <b>"),), "Mau mengajukan apa?"),
    Case("rekap-impossible-date", (("say", "/rekap 2026-13-45"),), "Tanggal tidak sah"),
    Case("rekap-impossible-date-english", (("say", "/rekap 2026-02-30"),), "2026-02-30", who=SITI),
    Case("rekap-of-year-one", (("say", "/rekap 01-01-0001"),), "Tanggal tidak sah: 01-01-0001", who=DEWI),
    Case("ekspor-of-year-9999", (("say", "/ekspor 9999-12"),), "Bulan tidak sah: 9999-12", who=DEWI),
    Case("roster-into-year-9999-by-admin", (("say", "/roster 31-12-9999"),), "Tanggal tidak sah", who=BUDI),
    Case("undang-by-staff", (("say", "/undang"),), "hanya untuk admin"),
    Case("tugaskan-by-staff-with-extra-words", (("say", "/tugaskan extra words"),), "untuk atasan"),
    Case("tugaskan-with-extra-words", (("say", "/tugaskan extra words"),), "Pilih pegawai", who=DEWI),
    Case("bahasa-klingon", (("say", "/bahasa klingon"),), "Pilih bahasa"),
    Case("unknown-command", (("say", "/foo"),), UNKNOWN_COMMAND),
    Case("unknown-command-english", (("say", "/foo bar"),), UNKNOWN_COMMAND_EN, who=SITI),
    Case("unknown-command-html", (("say", "/<b>x</b>"),), UNKNOWN_COMMAND),
    Case("start-with-a-garbage-code", (("say", "/start ../../etc/passwd"),), "Rudi"),
    Case("stranger-with-a-sql-code", (("say", "/start ' OR 1=1 --"),), REFUSED, who=STRANGER),
    Case("ekspor-impossible-month", (("say", "/ekspor 2026-99"),), "2026-99", who=DEWI),
    Case("libur-impossible-date-by-admin", (("say", "/libur 2026-02-30 libur Hari <b>"),), "2026-02-30", who=BUDI),
    Case("jadwal-impossible-time-by-admin", (("say", "/jadwal apel 25:99"),), "25:99", who=BUDI),
    Case("umumkan-by-staff", (("say", "/umumkan <script>"),), "hanya untuk admin"),
    Case("undang-unknown-unit-by-admin", (("say", "/undang Unit <b>Palsu</b>"),), "Palsu", who=BUDI),
    Case("ekspor-unknown-unit-by-admin", (("say", "/ekspor 2026-11 Unit <i>Palsu</i>"),), "Palsu", who=BUDI),
    Case("rekap-unknown-unit-by-admin", (("say", "/rekap 2026-11-23 '; DROP TABLE org_unit;--"),), "DROP",
         who=BUDI),
    # What the admin typed comes back in the refusal escaped: a tag in it would have made Telegram refuse
    # the whole message (the admin heard nothing), or shown as formatting.
    Case("jadwal-script-field-by-admin", (("say", "/jadwal <script>alert(1)</script> 07.30"),),
         "tidak dikenal: &lt;script&gt;", who=BUDI),
    Case("jadwal-html-time-by-admin", (("say", "/jadwal apel <b>07.30</b>"),), "&lt;b&gt;07.30", who=BUDI),
    Case("undang-script-unit-by-admin", (("say", "/undang <script>x</script>"),), "&lt;script&gt;x", who=BUDI),
    Case("roster-impossible-range-by-admin", (("say", "/roster 2026-99-01 kemarin"),), "2026-99-01", who=BUDI),
    Case("jalankan-unknown-step-by-admin", (("say", "/jalankan %s{name}"),), "/jalankan briefing", who=BUDI),
    Case("plh-script-name-by-admin", (("say", "/plh <script>x</script> oleh {name} besok"),),
         "nama &lt;script&gt;x&lt;/script&gt;", who=BUDI),
    Case("plh-impossible-date-by-admin", (("say", "/plh Dewi oleh Rudi 2026-02-30"),), "Tanggal Plh tidak terbaca",
         who=BUDI),
    Case("plh-by-staff", (("say", "/plh Dewi oleh Rudi besok"),), "hanya untuk admin"),
]

CALLBACKS = [
    Case("garbage-callback", (("tap", "garbage"),), NOT_AVAILABLE),
    Case("plh-pick-huge-id-by-admin", (("tap", "plh:99999999999999999999"),), NOT_AVAILABLE, who=BUDI),
    Case("garbage-callback-english", (("tap", "💥:;::"),), NOT_AVAILABLE_EN, who=SITI),
    Case("callback-64-bytes", (("tap", "t:" + "9" * 62),), NOT_AVAILABLE),
    Case("ack-from-yesterday", (("tap", "ack:{yesterday}"),), EXPIRED),
    Case("ack-impossible-day", (("tap", "ack:20261399"),), EXPIRED),
    Case("someone-elses-task-done", (("tap", "t:{task}:done"),), NOT_AVAILABLE, who=DEWI),
    Case("task-that-does-not-exist", (("tap", "t:999999:done"),), NOT_AVAILABLE),
    Case("approve-own-report", (("tap", "ap:{report}:1"),), NOT_AVAILABLE),
    Case("approve-a-report-outside-the-chain", (("tap", "ap:{report}:1"),), NOT_AVAILABLE_EN, who=SITI),
    Case("return-a-report-outside-the-chain", (("tap", "rt:{report}:1"),), NOT_AVAILABLE_EN, who=SITI),
    Case("approve-a-stale-revision", (("tap", "ap:{report}:0"),), NOT_AVAILABLE, who=DEWI),
    Case("approve-a-report-that-does-not-exist", (("tap", "ap:424242:1"),), NOT_AVAILABLE, who=DEWI),
    Case("approve-home-of-someone-else", (("tap", "home:{rudi}:0:y"),), NOT_AVAILABLE_EN, who=SITI),
    Case("assign-to-a-forged-person", (("say", "/tugaskan"), ("tap", "asg:p:999999")), NOT_AVAILABLE, who=DEWI),
    Case("leave-decision-forged", (("tap", "lvd:1:y"),), NOT_AVAILABLE),
    Case("language-not-offered", (("tap", "lang:klingon"),), NOT_AVAILABLE),
    Case("evidence-pick-garbage", (("tap", "ev:../../x"),), NOT_AVAILABLE),
    Case("callback-from-a-stranger", (("tap", "ack:{today}"),), REFUSED, who=STRANGER),
    # Numbers no button of Apel's carries: beyond PostgreSQL's integer ids, beyond SQLite's 64 bits, and
    # digits `str.isdigit` takes but `int` does not.
    Case("approve-a-report-id-beyond-the-database", (("tap", "ap:2147483648:1"),), NOT_AVAILABLE, who=DEWI),
    Case("task-id-beyond-64-bits", (("tap", "t:99999999999999999999:done"),), NOT_AVAILABLE),
    Case("team-member-id-beyond-the-database", (("tap", "tim:2147483648"),), NOT_AVAILABLE, who=DEWI),
    Case("leave-decision-superscript-id", (("tap", "lvd:²:y"),), NOT_AVAILABLE, who=DEWI),
    Case("digest-page-superscript-supervisor", (("tap", "dg:{today}:²:0:n"),), NOT_AVAILABLE_EN, who=SITI),
    # Where a page's numbers begin (a team listed after another on WhatsApp): a number Apel never starts at.
    Case("digest-page-starting-at-zero", (("tap", "dg:{today}:1:0:n:0"),), NOT_AVAILABLE, who=DEWI),
    Case("team-page-starting-beyond-any-list", (("tap", "timpg:0:n:1:99999"),), NOT_AVAILABLE, who=DEWI),
    Case("assign-pick-superscript-person", (("say", "/tugaskan"), ("tap", "asg:p:²")), NOT_AVAILABLE, who=DEWI),
    # Days a date can hold but no day after (or before) it: the digest of year 1 looked at its eve.
    Case("approve-all-of-year-one", (("tap", "apall:00010101"),), NOT_AVAILABLE, who=DEWI),
]

LOCATIONS = [
    Case("latitude-91", (_location(latitude=91.0, longitude=103.6),), BAD_LOCATION),
    Case("longitude-181", (_location(latitude=-1.6, longitude=181.0),), BAD_LOCATION),
    Case("latitude-huge", (_location(latitude=1e308, longitude=-1e308),), BAD_LOCATION),
    Case("null-island", (_location(latitude=0.0, longitude=0.0),), BAD_LOCATION),
    Case("latitude-91-english", (_location(latitude=-91.0, longitude=0.5),), BAD_LOCATION_EN, who=SITI),
    # Accepted as a pin, with the impossible accuracy dropped (see the test's check of the stored fix).
    Case("accuracy-negative", (_location(latitude=-1.6, longitude=103.6, horizontal_accuracy=-5.0),),
         "Lokasi diterima", writes=frozenset({"location_fix"})),
    Case("live-period-zero", (_location(latitude=-1.6, longitude=103.6, live_period=0),), "Lokasi diterima",
         writes=frozenset({"location_fix"})),
    Case("live-move-out-of-range", (("edit", {"location": {"latitude": 95.0, "longitude": 200.0,
                                                          "live_period": 3600}}),), None),
]

ASSIGN = (("say", "/tugaskan"), ("tap", "asg:p:{rudi}"), ("tap", "asg:go"))
LEAVE = (("say", "/izin"), ("tap", "lv:cuti"), ("tap", "lv:days:1"))

# Free text in the other flows; last, because they change Rudi's report and leave (the earlier cases
# rely on his report being submitted and unreviewed).
FLOWS = [
    Case("assignment-title-4096", (*ASSIGN, ("say", "z" * 4096)), BAD_TITLE, who=DEWI),
    Case("assignment-title-hostile", (*ASSIGN, ("say", HOSTILE_TEXTS["anchor"] + HOSTILE_TEXTS["hebrew-rtl"]),
                                      ("tap", "asg:d:{today}")), "Tugas diberikan", who=DEWI,
         writes=frozenset({"task"})),
    Case("announcement-4096", (("say", "/umumkan"), ("say", "a" * 4096)), "paling panjang", who=BUDI),
    Case("announcement-hostile-to-everyone", (("say", "/umumkan " + HOSTILE_TEXTS["every-html-char"]
                                               + HOSTILE_TEXTS["format-braces"] + "\x00"), ("tap", "ann:0")),
         "Pengumuman diantrekan", who=BUDI),
    Case("announcement-to-a-forged-unit", (("say", "/umumkan halo"), ("tap", "ann:999999")), NOT_AVAILABLE,
         who=BUDI),
    Case("leave-reason-hostile", (*LEAVE, ("say", HOSTILE_TEXTS["script-tag"] + HOSTILE_TEXTS["percent-s"])),
         "Permintaan dikirim", writes=frozenset({"leave_request"})),
    Case("return-note-4096", (("tap", "rt:{report}:1"), ("say", "n" * 4096)), "Catatan tidak boleh kosong",
         who=DEWI),
    Case("return-note-hostile", (("tap", "rt:{report}:1"), ("say", HOSTILE_TEXTS["closing-b"] + HOSTILE_TEXTS["sql"])),
         "dikembalikan", who=DEWI, writes=frozenset({"report"})),
]

ALL = UPDATE_KINDS + TEXTS + COMMANDS + CALLBACKS + LOCATIONS + FLOWS
