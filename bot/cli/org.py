"""`apel org import|show|sample`: the org chart from and to the terminal."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import typer

from bot.cli.office_cli import office_command
from bot.cli.context import CLI_ACTOR, clock, load_settings, open_database, run_async
from bot.cli.output import FORMAT_OPTION, Format, current_language, emit, err, fail, out, progress_bar, say
from bot.domain.org_sync import deactivates_many
from bot.services.org_directory import list_org
from bot.services.org_import import ImportReport, import_org_chart
from bot.services.unit_rename import rename_unit
from bot.spreadsheet import open_sheet
from bot.texts import text

app = typer.Typer(help="The org chart: import it from CSV/XLSX, show it, rename units, set office locations, load the sample.", no_args_is_help=True)

PROGRESS_FROM_ROWS = 2000


def sample_path() -> Path:
    return Path(str(resources.files("bot.samples").joinpath("sample_office.csv")))


async def import_file(path: Path, *, partial: bool, dry_run: bool = False,
                      deactivate_many: bool = False) -> ImportReport:
    settings = load_settings()
    db = open_database(settings)
    lang = current_language()
    try:
        with open_sheet(path, settings.org_import_max_rows) as sheet, progress_bar(show=(sheet.total_rows or 0) >= PROGRESS_FROM_ROWS) as bar:
            reading = bar.add_task(text(lang, "cli.import_reading"), total=sheet.total_rows)
            writing = bar.add_task(text(lang, "cli.import_writing"), total=None, visible=False)

            def counted():
                for n, row in enumerate(sheet.rows, start=1):
                    if n % 1000 == 0:
                        bar.update(reading, completed=n)
                    yield row

            def wrote(done: int, total: int | None) -> None:
                bar.update(writing, completed=done, total=total, visible=True)

            return await import_org_chart(
                db.uow,
                sheet.header,
                counted(),
                clock=clock(),
                default_timezone=settings.default_timezone,
                actor=CLI_ACTOR,
                partial=partial,
                progress=wrote,
                dry_run=dry_run,
                deactivate_many=deactivate_many,
            )
    finally:
        await db.dispose()


def print_report(report: ImportReport, fmt: Format, *, dry_run: bool = False) -> None:
    lang = current_language()
    records = [
        {"row": e.row, "column": e.column, "code": e.code, "problem": text(lang, e.code, **e.params)}
        for e in report.errors
    ]
    columns = [("row", "col.row"), ("column", "col.column"), ("problem", "col.problem")]
    if fmt is not Format.TABLE:
        columns.insert(2, ("code", "code"))
    emit(records, columns, fmt, table_if_empty=False)
    if report.ignored_columns:
        say("cli.import_ignored_columns", columns=", ".join(report.ignored_columns))
    if report.errors and not report.partial:
        say("cli.import_nothing_written", count=len(report.rejected_rows))
        return
    if report.errors:
        say("cli.import_partial_dry_run" if dry_run else "cli.import_partial", count=len(report.rejected_rows))
    say(
        "cli.import_dry_run_summary" if dry_run else "cli.import_held_summary" if report.held else "cli.import_summary",
        rows=report.rows_read,
        created=report.people_created,
        updated=report.people_updated,
        unchanged=report.people_unchanged,
        deactivated=len(report.deactivated),
        units_created=report.units_created,
        units_updated=report.units_updated,
    )
    if report.reactivated:
        say("cli.import_reactivated", count=len(report.reactivated))
    if report.deactivated:
        say("cli.import_deactivated", count=len(report.deactivated))
        for nip, name in report.deactivated:
            err.print(f"  {nip}  {name}", highlight=False, markup=False)
    if report.unsupervised:
        say("cli.import_unsupervised", count=len(report.unsupervised))
        for nip, name in report.unsupervised:
            err.print(f"  {nip}  {name}", highlight=False, markup=False)
    if report.nip_changes:
        say("cli.import_nip_changes", count=len(report.nip_changes))
        for name, old, new in report.nip_changes:
            err.print(f"  {name}: {old} → {new}", highlight=False, markup=False)
    if report.emptied_units:
        say("cli.import_emptied_units", count=len(report.emptied_units))
        for unit in report.emptied_units:
            err.print(f"  {unit}", highlight=False, markup=False)
    if report.held or (dry_run and deactivates_many(len(report.deactivated), report.active_before)):
        say("cli.import_held", count=len(report.deactivated), active=report.active_before)


@app.command("import")
@run_async
async def import_command(
    file: Path = typer.Argument(..., help="The org chart, .csv or .xlsx (README: 'Org chart format')."),
    partial: bool = typer.Option(False, "--partial", help="Save the good rows even when some rows are bad."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Tell what the import would change; save nothing."),
    deactivate_many: bool = typer.Option(
        False, "--deactivate-many",
        help="Import even when the file deactivates more than a fifth of the active people."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Load an org chart; upserts by NIP, deactivates people missing from the file."""
    report = await import_file(file, partial=partial, dry_run=dry_run, deactivate_many=deactivate_many)
    print_report(report, fmt, dry_run=dry_run)
    if report.errors or report.held:
        raise typer.Exit(1)


@app.command("show")
@run_async
async def show_command(
    unit: str | None = typer.Option(None, "--unit", help="Only this unit and the units below it."),
    include_inactive: bool = typer.Option(False, "--all", help="Include deactivated people."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Print the units and people with their supervisors."""
    settings = load_settings()
    db = open_database(settings)
    try:
        listing = await list_org(db.uow, unit=unit, include_inactive=include_inactive)
    finally:
        await db.dispose()
    if not listing.people and unit is None and fmt is Format.TABLE:
        raise fail("cli.org_empty")  # scripts get the empty listing, as from every other listing
    if fmt is not Format.TABLE:
        records = [
            {
                "nip": p.nip,
                "name": p.name,
                "position": p.position,
                "unit": p.unit,
                "supervisor_nip": p.supervisor_nip,
                "active": p.active,
                "role": p.role,
            }
            for p in listing.people
        ]
        keys = ("nip", "name", "position", "unit", "supervisor_nip", "active", "role")
        emit(records, [(k, k) for k in keys], fmt)
        return
    _print_tree(listing)


app.command("office")(office_command)


@app.command("rename-unit")
@run_async
async def rename_unit_command(
    old: str = typer.Argument(..., help="The unit's name as stored."),
    new: str = typer.Argument(..., help="Its new name (as the next org chart file writes it)."),
) -> None:
    """Rename a unit in place (a new SOTK), before importing the file with the new name.

    Its schedule, office location, local days off and people stay."""
    settings = load_settings()
    db = open_database(settings)
    try:
        stored_name = await rename_unit(db.uow, old, new, now=clock().now(), actor=CLI_ACTOR)
    finally:
        await db.dispose()
    say("unit.renamed", old=stored_name, new=" ".join(new.split()))


@app.command("sample")
@run_async
async def sample_command(
    if_empty: bool = typer.Option(False, "--if-empty", help="Only when no active person is stored yet."),
) -> None:
    """Load the sample office that ships with Apel (about 40 people)."""
    await load_sample(if_empty=if_empty)


async def load_sample(*, if_empty: bool) -> None:
    settings = load_settings()
    db = open_database(settings)
    try:
        async with db.uow() as uow:
            count = await uow.org.count_active_people()
    finally:
        await db.dispose()
    if if_empty and count:
        say("cli.sample_exists", count=count)
        return
    report = await import_file(sample_path(), partial=False)
    print_report(report, Format.TABLE)
    if report.errors:
        raise typer.Exit(1)


def _print_tree(listing) -> None:
    from rich.tree import Tree

    lang = current_language()
    by_unit: dict[str, list] = {}
    names = {p.nip: p.name for p in listing.people}
    for p in listing.people:
        by_unit.setdefault(p.unit, []).append(p)
    stack: list[tuple[int, Tree]] = []
    roots: list[Tree] = []
    for depth, unit in listing.units:
        label = f"[bold]{_escape(unit.name)}[/]  [dim]{unit.timezone} · {unit.kind.value}[/]"
        while stack and stack[-1][0] >= depth:
            stack.pop()
        node = stack[-1][1].add(label) if stack else Tree(label)
        if not stack:
            roots.append(node)
        for p in by_unit.get(unit.name, []):
            boss = names.get(p.supervisor_nip, p.supervisor_nip or "—")
            extra = "" if p.active else f" [red]({text(lang, 'col.active')}: ✗)[/]"
            role = " [magenta]admin[/]" if p.role == "admin" else ""
            node.add(f"{p.nip}  {_escape(p.name)} — {_escape(p.position)}  [dim]← {_escape(boss)}[/]{role}{extra}")
        stack.append((depth, node))
    for root in roots:
        out.print(root)


def _escape(value: str) -> str:
    from rich.markup import escape

    return escape(value)
