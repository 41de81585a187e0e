"""A command typed wrongly is told in the CLI's language (DEFAULT_LANGUAGE), on stderr, with exit code 2 and
nothing on stdout: the option by name and, for choices, what it accepts. No database is needed to say so."""

import pytest
from typer.testing import CliRunner

from bot.cli.app import app

runner = CliRunner()


@pytest.fixture
def language(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env of the checkout

    def use(lang: str) -> None:
        monkeypatch.setenv("DEFAULT_LANGUAGE", lang)

    return use


def refused(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "╭" not in result.stderr and "Usage:" not in result.stderr and "Traceback" not in result.stderr
    return result.stderr


# (command line, the Indonesian line, the English line)
CASES = [
    (["org", "show", "-f", "xml"],
     "Gagal: --format tidak menerima 'xml': pilih table, csv atau json.",
     "Error: --format does not accept 'xml': choose table, csv or json."),
    (["outbox", "status", "--format", "yaml"],
     "Gagal: --format tidak menerima 'yaml': pilih table, csv atau json.",
     "Error: --format does not accept 'yaml': choose table, csv or json."),
    (["export", "--month", "2026-11", "--format", "pdf"],
     "Gagal: --format tidak menerima 'pdf': pilih xlsx atau csv.",
     "Error: --format does not accept 'pdf': choose xlsx or csv."),
    (["digest", "--format", "csv"],
     "Gagal: --format tidak menerima 'csv': pilih text atau json.",
     "Error: --format does not accept 'csv': choose text or json."),
    (["invite", "--out", "x.csv", "--channel", "sms"],
     "Gagal: --channel tidak menerima 'sms': pilih telegram atau whatsapp.",
     "Error: --channel does not accept 'sms': choose telegram or whatsapp."),
    (["run-step", "sarapan"],
     "Gagal: STEP tidak menerima 'sarapan': pilih briefing, pengingat, rekap atau periksa.",
     "Error: STEP does not accept 'sarapan': choose briefing, pengingat, rekap or periksa."),
    (["run", "--role", "worker"],
     "Gagal: --role tidak menerima 'worker': pilih all, web, sender atau scheduler.",
     "Error: --role does not accept 'worker': choose all, web, sender or scheduler."),
    (["--verbose", "org", "show"],
     "Gagal: Opsi --verbose tidak dikenal oleh apel.",
     "Error: apel has no option --verbose."),
    (["audit", "--limit", "banyak"],
     "Gagal: --limit harus bilangan bulat dari 1 sampai 100000, bukan 'banyak'.",
     "Error: --limit must be a whole number from 1 to 100000, not 'banyak'."),
    (["audit", "--limit", "0"],
     "Gagal: --limit harus bilangan bulat dari 1 sampai 100000, bukan '0'.",
     "Error: --limit must be a whole number from 1 to 100000, not '0'."),
    (["export"],
     "Gagal: --month wajib diisi.",
     "Error: --month is required."),
    (["invite"],
     "Gagal: --out wajib diisi.",
     "Error: --out is required."),
    (["person", "nip", "199001012015031001"],
     "Gagal: NEW wajib diisi.",
     "Error: NEW is required."),
    (["run-step"],
     "Gagal: STEP wajib diisi: briefing, pengingat, rekap atau periksa.",
     "Error: STEP is required: briefing, pengingat, rekap or periksa."),
    (["audit", "--bogus"],
     "Gagal: Opsi --bogus tidak dikenal oleh apel audit.",
     "Error: apel audit has no option --bogus."),
    (["org", "show", "--unti", "Sekretariat"],
     "Gagal: Opsi --unti tidak dikenal oleh apel org show. Maksudnya --unit?",
     "Error: apel org show has no option --unti. Did you mean --unit?"),
    (["org", "show", "--unit"],
     "Gagal: Opsi --unit perlu nilai sesudahnya.",
     "Error: The option --unit needs a value after it."),
    (["org", "sample", "--if-empty=ya"],
     "Gagal: Opsi --if-empty tidak menerima nilai; tulis --if-empty saja.",
     "Error: The option --if-empty takes no value; write --if-empty alone."),
    (["calendar", "add", "25-12-2026", "libur", "Hari", "Natal"],
     "Gagal: Kata berlebih untuk apel calendar add: Natal.",
     "Error: Words too many for apel calendar add: Natal."),
    (["people", "list", "-f", "xml"],
     "Gagal: Perintah people tidak ada. Yang ada: invite, run, chat",
     "Error: There is no command people. The commands: invite, run, chat"),
    (["org", "shw"],
     "Gagal: Perintah shw tidak ada. Yang ada: import, show, office, rename-unit, sample.",
     "Error: There is no command shw. The commands: import, show, office, rename-unit, sample."),
    (["calendar", "add", "25-12-2026", "pesta", "Natal"],  # the codes (holiday, …) are read as well
     "Gagal: KIND tidak menerima 'pesta': pilih libur, tutup, wfh atau wfo.",
     "Error: KIND does not accept 'pesta': choose libur, tutup, wfh or wfo."),
    (["roster", "set", "199001012015031001", "25-12-2026", "kantor"],
     "Gagal: MODE tidak menerima 'kantor': pilih wfo, wfh, piket, cuti, sakit, dl atau libur.",
     "Error: MODE does not accept 'kantor': choose wfo, wfh, piket, cuti, sakit, dl or libur."),
    (["schedule", "set", "apel", "25:99"],
     "Gagal: Jam tidak sah: 25:99. Tulis seperti 07.30 atau 07:30.",
     "Error: Not a valid time: 25:99. Write it like 07.30 or 07:30."),
    (["export", "--month", "2026-13"],
     "Gagal: --month tidak menerima '2026-13': tulis bulan seperti 2026-11.",
     "Error: --month does not accept '2026-13': write a month like 2026-11."),
]

# A date that is not one, in every command that reads one: told like any other value typed wrongly (it was
# exit 1, told apart from the usage errors; scripts test for 2).
BAD_DATES = [
    ["calendar", "list", "--from", "32-12-2026"],
    ["calendar", "add", "31-02-2026", "libur", "Natal"],
    ["schedule", "show", "--date", "32-12-2026"],
    ["schedule", "set", "apel", "07:30", "--from", "32-12-2026", "--to", "2027-01-05"],
    ["roster", "generate", "--from", "2026-12-01", "--to", "32-12-2026"],
    ["roster", "show", "--from", "32-12-2026"],
    ["roster", "set", "199001012015031001", "32-12-2026", "wfh"],
    ["digest", "--date", "32-12-2026"],
    ["audit", "--since", "32-12-2026"],
    ["person", "plh", "199001012015031001", "--by", "199001012015031002", "--from", "32-12-2026", "--to", "1-1"],
    ["digest", "--date", "01-01-0001"],  # a year out of the calendar's range is no date either
]


@pytest.mark.parametrize(("args", "indonesian", "english"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_a_usage_error_is_told_in_the_cli_language(language, args, indonesian, english):
    language("id")
    told = refused(*args)
    assert told.startswith(indonesian), told
    assert "Invalid value" not in told and "No such" not in told and "Missing" not in told

    language("en")
    assert refused(*args).startswith(english)


@pytest.mark.parametrize("args", BAD_DATES, ids=[" ".join(a) for a in BAD_DATES])
def test_a_bad_date_is_a_usage_error_in_every_command(language, args):
    option = args[args.index(next(a for a in args if a in ("32-12-2026", "31-02-2026", "01-01-0001"))) - 1]
    named = option if option.startswith("--") else "DATE"
    language("id")
    told = refused(*args)
    assert told.splitlines()[0].startswith(f"Gagal: {named} tidak menerima '"), told
    assert "tulis tanggal seperti 31-12-2026, 31 Des 2026 atau 2026-12-31." in told.splitlines()[0]
    assert told.splitlines()[1] == f"Petunjuk: apel {' '.join(args[:2] if args[0] not in ('digest', 'audit') else args[:1])} --help"
    language("en")
    assert refused(*args).startswith(f"Error: {named} does not accept '")


def test_the_line_after_names_the_command_help(language):
    language("id")
    assert refused("audit", "--limit", "x").splitlines()[1] == "Petunjuk: apel audit --help"
    assert refused("org", "shw").splitlines()[1] == "Petunjuk: apel org --help"
    language("en")
    assert refused("org", "show", "--unit").splitlines()[1] == "Help: apel org show --help"


def test_a_broken_setting_leaves_usage_errors_in_the_default_language(language, monkeypatch):
    language("xx")
    assert refused("org", "show", "-f", "xml").startswith("Gagal: --format tidak menerima 'xml'")


def test_help_still_works(language):
    language("id")
    result = runner.invoke(app, ["org", "show", "--help"])
    assert result.exit_code == 0
    assert "--format" in result.stdout and "--unit" in result.stdout
    alone = runner.invoke(app, ["org"])  # a group alone shows its help, as before
    assert alone.exit_code == 2 and "import" in alone.stdout + alone.stderr


def _readme_commands() -> list[tuple[list[str], list[str]]]:
    """README's CLI table: each command's words and the arguments it names in capitals (FILE, NIP DATE MODE)."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    found = []
    for usage in re.findall(r"^\| `(apel [^`]+)` \|", readme, flags=re.M):
        words = re.sub(r"\[[^\]]*\]", " ", usage).split()[1:]  # optional parts left out
        command = [w for w in words if re.fullmatch(r"[a-z][a-z-]*", w)]
        arguments = [w for before, w in zip([""] + words, words)  # `--out FILE` is an option's value
                     if re.fullmatch(r"[A-Z]+", w) and not before.startswith("-")]
        found.append((command, arguments))
    return found


def test_help_names_the_arguments_as_readme_does():
    # `apel roster set --help` said `{nip} {day} {mode}` and a missing one was "DAY wajib diisi", where README
    # (and the help's own text) says DATE.
    checked = 0
    for command, arguments in _readme_commands():
        if not arguments:
            continue
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (command, result.output)
        usage = next(line for line in result.output.splitlines() if "Usage:" in line)
        assert [a for a in usage.replace("{", " ").replace("}", " ").replace("[", " ").replace("]", " ").split()
                if a.isupper() and a not in {"OPTIONS"}] == arguments, (command, usage)
        checked += 1
    assert checked >= 8
