"""Use case: load an org chart (rows of a sheet) into the database, all or nothing by default."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.domain.org_columns import map_header
from bot.domain.org_sync import deactivates_many, deactivation_key, plan_sync
from bot.domain.orgchart import RawRow, RowError, validate_chart
from bot.ports import Clock, Progress, UnitOfWork, UnitOfWorkFactory
from bot.services.errors import ServiceError


@dataclass
class ImportReport:
    rows_read: int
    errors: list[RowError]
    written: bool
    partial: bool
    units_created: int = 0
    units_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    reactivated: list[str] = field(default_factory=list)
    deactivated: list[tuple[str, str]] = field(default_factory=list)  # (nip, name)
    unsupervised: list[tuple[str, str]] = field(default_factory=list)  # (nip, name): had a superior, now none
    nip_changes: list[tuple[str, str, str]] = field(default_factory=list)  # (name, old nip, new nip)
    emptied_units: list[str] = field(default_factory=list)  # emptied while new units came: renamed?
    ignored_columns: tuple[str, ...] = ()
    active_before: int = 0
    held: bool = False  # it would deactivate many (`deactivates_many`) and was not confirmed: nothing written

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected_rows(self) -> set[int]:
        return {e.row for e in self.errors}


def rows_of(header: list[str], rows: Iterable[tuple[int, list[str]]]) -> tuple[Iterable[RawRow], tuple[str, ...]]:
    """Name the cells of each row by field; refuse a sheet without the required columns."""
    mapping = map_header(header)
    if mapping.duplicated:
        raise ServiceError("sheet.duplicate_columns", columns=", ".join(mapping.duplicated))
    if mapping.missing:
        raise ServiceError("sheet.missing_columns", columns=", ".join(mapping.missing))
    columns = mapping.columns

    def named() -> Iterable[RawRow]:
        for number, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            yield RawRow(number, {f: cells[i] if i < len(cells) else "" for f, i in columns.items()})

    return named(), mapping.unknown


async def import_org_chart(
    uow_factory: UnitOfWorkFactory,
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    *,
    clock: Clock,
    default_timezone: str,
    actor: str,
    partial: bool = False,
    progress: Progress | None = None,
    dry_run: bool = False,
    deactivate_many: bool = False,
) -> ImportReport:
    """`dry_run`: the whole import is done and reported, then rolled back (nothing saved, nothing audited)."""
    async with uow_factory() as uow:
        report = await import_into(
            uow, header, rows, now=None, clock=clock, default_timezone=default_timezone, actor=actor,
            partial=partial, progress=progress, deactivate_many=deactivate_many or dry_run,
        )
        if (report.written or report.rows_read) and not dry_run:
            await uow.commit()
    return report


async def import_into(
    uow: UnitOfWork,
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    *,
    now,
    clock: Clock,
    default_timezone: str,
    actor: str,
    partial: bool = False,
    progress: Progress | None = None,
    deactivate_many: bool = False,
    confirmed: str | None = None,
) -> ImportReport:
    """The import inside an open unit of work (the caller commits): the CLI and the chat share it.
    `deactivate_many`: the admin confirmed a file that deactivates many people; else it is held (`held`).
    `confirmed`: the `deactivation_key` of the people an admin was shown and confirmed; a file that would now
    deactivate others (the org chart changed meanwhile) is held again."""
    named, ignored = rows_of(header, rows)
    chart = validate_chart(named, default_timezone=default_timezone)
    if chart.rows_read == 0:
        raise ServiceError("sheet.no_rows")
    report = ImportReport(chart.rows_read, chart.errors, written=False, partial=partial, ignored_columns=ignored)
    if chart.errors and not partial:
        return report
    plan = plan_sync(
        chart,
        await uow.org.stored_units(),
        await uow.org.stored_people(),
        keep_nips=chart.named_nips,
    )
    now = now or clock.now()
    held = not deactivate_many and deactivates_many(len(plan.deactivated), plan.active_before) and (
        confirmed != deactivation_key(p.values.nip for p in plan.deactivated))
    if plan.writes_anything and not held:
        await uow.org.apply(plan, now, progress)
        if plan.deactivated:  # Apel no longer serves them: what waits in the outbox for them is not theirs to get
            await uow.outbox.withdraw_for_people([p.id for p in plan.deactivated], "deactivated by an org chart import")
    report.units_created = len(plan.new_units)
    report.units_updated = len(plan.changed_units)
    report.people_created = len(plan.new_people)
    report.people_updated = len(plan.changed_people)
    report.people_unchanged = plan.unchanged_people
    report.reactivated = plan.reactivated
    report.deactivated = [(p.values.nip, p.values.name) for p in plan.deactivated]
    report.unsupervised = plan.unsupervised
    report.nip_changes = plan.nip_changes
    report.emptied_units = plan.emptied_units
    report.active_before = plan.active_before
    report.held = held
    report.written = plan.writes_anything and not held
    if held:
        return report
    await uow.audit.record(
        now,
        actor,
        "org_import",
        {
            "rows": chart.rows_read,
            "rejected_rows": len(chart.rejected_rows),
            "partial": partial,
            "created": report.people_created,
            "updated": report.people_updated,
            "deactivated": len(report.deactivated),
            "units_created": report.units_created,
        },
    )
    return report
