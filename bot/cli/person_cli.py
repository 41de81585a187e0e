"""`apel person export NIP [--output PATH]` and `apel person erase NIP --yes`: a person's data under UU PDP;
`apel person nip OLD NEW`: a corrected NIP."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from bot.cli.context import CLI_ACTOR, clock, load_settings, open_database, run_async
from bot.cli.files import ReplacedFile, cannot_write
from bot.cli.output import current_language, err, fail, say
from bot.exports.person_archive import write_archive
from bot.services.nip_correction import correct_nip
from bot.services.person_data import PersonExport, check_erasable, erase_person, export_person
from bot.texts import text
from storage.media_files import LocalMediaFiles

app = typer.Typer(help="A person's data: export it, erase it once they have left, correct their NIP.", no_args_is_help=True)


async def export_command(
    nip: str = typer.Argument(..., metavar="NIP", help="The person's NIP."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Default: apel-data-<NIP>.zip here."),
) -> None:
    """Write everything stored about the person to a ZIP: person.json and their evidence files."""
    settings = load_settings()
    written = {}
    with ReplacedFile(output or Path(f"apel-data-{nip.strip()}.zip"), private=True) as target:

        async def deliver(export: PersonExport) -> None:
            try:
                written["files"] = await write_archive(export, target.tmp)
            except OSError as exc:
                raise cannot_write(target.path, exc) from None

        db = open_database(settings)
        try:
            await export_person(db.uow, nip, now=clock().now(), actor=CLI_ACTOR, deliver=deliver)
        finally:
            await db.dispose()
        target.put_in_place()
    say("person_data.exported", path=str(target.path), files=written["files"])


async def erase_command(
    nip: str = typer.Argument(..., metavar="NIP", help="The NIP of a deactivated person."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Erase a deactivated person's personal data; the counts of their days stay for the unit's recaps."""
    settings = load_settings()
    db = open_database(settings)
    try:
        await check_erasable(db.uow, nip)
        if not yes and not _confirmed(text(current_language(), "person_data.confirm_erase", nip=nip)):
            raise fail("person_data.not_confirmed")
        removed = await erase_person(db.uow, LocalMediaFiles(), nip, now=clock().now(), actor=CLI_ACTOR)
    finally:
        await db.dispose()
    say("person_data.erased", nip=nip, files=removed)


async def nip_command(
    old: str = typer.Argument(..., metavar="OLD", help="The NIP as stored (the wrong one)."),
    new: str = typer.Argument(..., metavar="NEW", help="The corrected NIP."),
) -> None:
    """Correct a person's NIP in place (before importing the corrected file): chat links and history stay."""
    settings = load_settings()
    db = open_database(settings)
    try:
        name = await correct_nip(db.uow, old, new, now=clock().now(), actor=CLI_ACTOR)
    finally:
        await db.dispose()
    say("person_nip.done", name=name, old=old.strip(), new=new.strip())


app.command("export")(run_async(export_command))
app.command("nip")(run_async(nip_command))
app.command("erase")(run_async(erase_command))


def _confirmed(question: str) -> bool:
    """The admin's yes at the terminal. Without one (cron, a script: stdin closed) the answer is no, said in
    the catalog's words rather than Click's English "Aborted.". The question goes to stderr like every
    message (Click's confirm writes its last character to stdout, whatever `err`)."""
    err.print(f"{question} [y/N]: ", end="", markup=False, highlight=False)
    answer = sys.stdin.readline()
    if not answer:  # end of input: nobody to answer
        err.print()
    return answer.strip().lower() in ("y", "yes", "ya")
