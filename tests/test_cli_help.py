"""`apel --help` and each group's help list their commands with the first paragraph of each docstring, line
breaks and all: a summary written over two source lines came out cut mid-sentence in the listing."""

import inspect

import typer.main

from bot.cli.app import app


def commands(group, path=()):
    for name, command in getattr(group, "commands", {}).items():
        yield (*path, name), command
        yield from commands(command, (*path, name))


def test_every_command_has_a_one_line_summary_in_its_group_listing():
    cut = {" ".join(path): (command.short_help or inspect.cleandoc(command.help or "")).split("\n\n")[0]
           for path, command in commands(typer.main.get_command(app))}
    assert cut and all(cut.values()), [path for path, summary in cut.items() if not summary]
    assert {path: summary for path, summary in cut.items() if "\n" in summary} == {}


def test_a_flag_is_not_shown_as_wanting_a_value():
    # Typer wrote `--dry-run <bool>` and `--help <bool>`, yet `--dry-run=ya` is refused: flags take no value.
    from typer.testing import CliRunner

    shown = CliRunner().invoke(app, ["purge", "--help"], env={"COLUMNS": "120"})
    assert shown.exit_code == 0
    lines = {line.split()[1]: line for line in shown.stdout.splitlines() if line.startswith("│ --")}
    assert "<bool>" not in lines["--dry-run"] and "<bool>" not in lines["--help"], shown.stdout
    assert "<table|csv|json>" in lines["--format"]  # options with a value still say which


def test_arguments_are_named_as_the_usage_errors_and_readme_name_them():
    # Typer wrote `apel person nip [OPTIONS] {old} {new}` while a missing one was told "NEW wajib diisi".
    from typer.testing import CliRunner

    def usage(*args: str) -> str:
        shown = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "120"})
        return next(line.strip() for line in shown.stdout.splitlines() if "Usage:" in line)

    assert usage("person", "nip") == "Usage: apel person nip [OPTIONS] OLD NEW"
    assert usage("org", "office") == "Usage: apel org office [OPTIONS] [UNIT]"
    assert usage("run-step") == "Usage: apel run-step [OPTIONS] STEP"


def test_purge_help_names_every_kind_the_purge_removes():
    # It named fixes, originals, check coordinates, update keys and states only: an officer reading it did not
    # learn that copies of sent messages, WhatsApp chats and strangers' refusals go too, nor after how long.
    from typer.testing import CliRunner

    shown = " ".join(CliRunner().invoke(app, ["purge", "--help"], env={"COLUMNS": "200"}).stdout.split())
    for kind in ("location fixes", "original images", "presence-check coordinates", "strangers' refused attempts",
                 "WhatsApp chats nobody is linked to", "copies of sent messages", "14 days", "attachments",
                 "update keys older than 3 days", "delivery keys", "conversation states"):
        assert kind in shown, kind


def _rows(*args: str) -> dict[str, str]:
    """--help's rows by the option or argument they describe: `{"KIND": "<libur|tutup|wfh|wfo>  libur, …"}`."""
    from typer.testing import CliRunner

    shown = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    rows = {}
    for line in shown.stdout.splitlines():
        words = line.strip("│ ").lstrip("* ").split()
        if words and (words[0].startswith("--") or words[0].isupper()):
            rows[words[0]] = " ".join(words[1:])
    return rows


def test_values_of_a_kind_say_which_rather_than_str():
    # KIND and MODE (words with aliases) and every date were `<str>`, as if any text would do, while
    # --format said `<table|csv|json>`; a bad one is refused as a choice is (tests/test_cli_usage_errors.py).
    added = _rows("calendar", "add")
    assert added["KIND"].startswith("<libur|tutup|wfh|wfo> ") and added["DATE"].startswith("<date> "), added
    overridden = _rows("roster", "set")
    assert overridden["MODE"].startswith("<wfo|wfh|piket|cuti|sakit|dl|libur> "), overridden
    assert overridden["DATE"].startswith("<date> ") and overridden["NIP"].startswith("<str> ")
    assert _rows("export")["--month"].startswith("<YYYY-MM> ")
    for command, options in ((("calendar", "list"), ("--from", "--to")), (("schedule", "show"), ("--date",)),
                             (("schedule", "set"), ("--from", "--to")), (("roster", "generate"), ("--from", "--to")),
                             (("roster", "show"), ("--from", "--to")), (("digest",), ("--date",)),
                             (("audit",), ("--since", "--until")), (("person", "plh"), ("--from", "--to"))):
        rows = _rows(*command)
        assert {o: rows[o].split()[0] for o in options} == {o: "<date>" for o in options}, command
