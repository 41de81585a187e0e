"""`apel person export NIP [--output PATH]` and `apel person erase NIP --yes`: a person's data under UU PDP;
`apel person nip OLD NEW`: a corrected NIP; `apel person plh NIP ...` and `plh-list`: acting officials."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from bot.cli.context import CLI_ACTOR, clock, load_settings, office_today, open_database, run_async
from bot.cli.files import ReplacedFile, cannot_write
from bot.cli.output import FORMAT_OPTION, Format, current_language, emit, err, fail, say
from bot.cli.typed_values import DATE_HELP, date_ahead
from bot.services import plh
from bot.exports.person_archive import write_archive
from bot.services.nip_correction import correct_nip
from bot.services.person_data import PersonExport, check_erasable, erase_person, export_person
from bot.texts import format_date, text
from storage.media_files import LocalMediaFiles

app = typer.Typer(help="A person's data: export it, erase it once they have left, correct their NIP; acting officials.",
                  no_args_is_help=True)


async def export_command(
    nip: str = typer.Argument(..., help="The person's NIP."),
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
    nip: str = typer.Argument(..., help="The NIP of a deactivated person."),
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
    old: str = typer.Argument(..., help="The NIP as stored (the wrong one)."),
    new: str = typer.Argument(..., help="The corrected NIP."),
) -> None:
    """Correct a person's NIP in place (before importing the corrected file): chat links and history stay."""
    settings = load_settings()
    db = open_database(settings)
    try:
        name = await correct_nip(db.uow, old, new, now=clock().now(), actor=CLI_ACTOR)
    finally:
        await db.dispose()
    say("person_nip.done", name=name, old=old.strip(), new=new.strip())


async def plh_command(
    nip: str = typer.Argument(..., help="The NIP of the official who will be away."),
    by: str | None = typer.Option(None, "--by", help="The NIP of the acting official (Plh)."),
    start: dt.date | None = typer.Option(None, "--from", parser=date_ahead,
                                         help=f"{DATE_HELP}; the first day (with --clear: default today)."),
    end: dt.date | None = typer.Option(None, "--to", parser=date_ahead, help=f"{DATE_HELP}; the last day, included."),
    clear: bool = typer.Option(False, "--clear", help="End the official's Plh from --from (default today) on."),
) -> None:
    """Designate an acting official (Plh) for an official's days away, or clear one.

    On those days the official's team digest, requests and notices go to the Plh, who reviews and decides for
    them."""
    settings = load_settings()  # first: it sets the language the refusals below are told in
    if clear and (by is not None or end is not None):
        raise fail("plh.clear_and_set")
    if not clear and (by is None or start is None or end is None):
        raise fail("plh.needs_period")
    lang, today = current_language(), office_today()
    first, last = start or today, end
    db = open_database(settings)
    try:
        if clear:
            name, count = await plh.clear(db.uow, nip, first, now=clock().now(), actor=CLI_ACTOR)
        else:
            name, acting = await plh.designate(db.uow, nip, by, first, last, today=today, now=clock().now(),
                                               actor=CLI_ACTOR)
    finally:
        await db.dispose()
    if not clear:
        say("plh.set", plh=acting, name=name, first=format_date(first, lang), last=format_date(last, lang))
    else:
        say("plh.cleared" if count else "plh.none_to_clear", name=name, since=format_date(first, lang), count=count)


async def plh_list_command(fmt: Format = FORMAT_OPTION) -> None:
    """The acting officials (Plh) designated for today or later."""
    settings = load_settings()
    db = open_database(settings)
    try:
        found = await plh.listing(db.uow, office_today())
    finally:
        await db.dispose()
    lang, table = current_language(), fmt is Format.TABLE
    emit([{"official_nip": r.official_nip, "official": r.official_name, "plh_nip": r.plh_nip, "plh": r.plh_name,
           "from": format_date(r.first_day, lang) if table else r.first_day.isoformat(),
           "to": format_date(r.last_day, lang) if table else r.last_day.isoformat()} for r in found],
         [("official_nip", "plh.h_official_nip"), ("official", "plh.h_official"), ("plh_nip", "plh.h_plh_nip"),
          ("plh", "plh.h_plh"), ("from", "plh.h_from"), ("to", "plh.h_to")], fmt)


app.command("export")(run_async(export_command))
app.command("nip")(run_async(nip_command))
app.command("plh")(run_async(plh_command))
app.command("plh-list")(run_async(plh_list_command))
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
