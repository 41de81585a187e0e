"""`apel schedule|calendar|roster`: the routine's settings from the terminal."""

from __future__ import annotations

import datetime as dt

import typer

from bot.cli.context import CLI_ACTOR, clock, load_settings, office_today, open_database, run_async
from bot.cli.output import FORMAT_OPTION, Format, current_language, emit, progress_bar, say
from bot.cli.typed_values import DATE_HELP, CalendarKind, calendar_kind, date_ahead
from bot.cli.usage_errors import RefusedValue
from bot.domain.unit_schedule import FROM_THEN_ON, NO_VALUE, ScheduleValueError, parse_value
from bot.domain.workday import Mode
from bot.services import calendar_admin, roster_admin, schedule_admin
from bot.texts import format_date, text

schedule_app = typer.Typer(help="Unit schedules: apel time, deadline, reminders, digests.", no_args_is_help=True)
calendar_app = typer.Typer(help="Holidays, office closures and WFH/WFO directives.", no_args_is_help=True)
roster_app = typer.Typer(help="The WFH/WFO rotation.", no_args_is_help=True)


async def _with_uow(work, *, commit: bool = False):
    settings = load_settings()
    db = open_database(settings)
    try:
        async with db.uow() as uow:
            result = await work(uow, clock().now())
            if commit:
                await uow.commit()
            return result
    finally:
        await db.dispose()


def _label(lang: str, template: str, code: str) -> str:
    """A code's words in the table ("rotation" -> "rotasi"); free text (a leave's reason) stays as it is."""
    key = template.format(code)
    worded = text(lang, key)
    return code if worded == key else worded


@schedule_app.command("show")
@run_async
async def schedule_show(
    unit: str | None = typer.Option(None, "--unit", help="Default: the top unit."),
    on: dt.date | None = typer.Option(None, "--date", parser=date_ahead,
                                      help=f"{DATE_HELP}; default today (overrides depend on the date)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The effective schedule of a unit and where each value comes from."""
    day = on or office_today()
    name, lines = await _with_uow(lambda uow, now: schedule_admin.show(uow, unit, day))
    lang = current_language()
    shown = {x.field: schedule_admin.worded(x.value, x.unit, x.valid_from, x.valid_to, lang) for x in lines}
    if fmt is not Format.TABLE:  # scripts keep the codes: yes/no, default, the ISO period
        # ...and each value as `schedule set` takes it back: no weekday deadlines is "", not the table's "-".
        shown = {x.field: ("" if x.value == NO_VALUE else x.value, x.source) for x in lines}
    emit([{"unit": name, "field": x.field, "value": shown[x.field][0], "source": shown[x.field][1]} for x in lines],
         [("field", "col.field"), ("value", "col.value"), ("source", "col.source")] if fmt is Format.TABLE else
         [("unit", "unit"), ("field", "field"), ("value", "value"), ("source", "source")], fmt, title=name)


@schedule_app.command("set")
@run_async
async def schedule_set(
    field: str = typer.Argument(..., help="e.g. apel, deadline, deadline_by_weekday, reminder_offsets_min, workdays"),
    value: str = typer.Argument(..., help="e.g. 07:30, 16:00, fri=16:30, 60,15, mon,tue,wed,thu,fri,sat"),
    unit: str | None = typer.Option(None, "--unit", help="Default: the top unit (everyone inherits it)."),
    start: dt.date | None = typer.Option(None, "--from", parser=date_ahead,
                                         help="With --to: an override for a period (Ramadan hours); "
                                         "alone: the value from that day on."),
    end: dt.date | None = typer.Option(None, "--to", parser=date_ahead,
                                       help="With --from: the period's last day (one day: the same date)."),
) -> None:
    """Change one value of a unit's schedule (or of a period's override)."""
    load_settings()  # the catalog language, before the value is refused
    try:
        parse_value(field, value)  # the service reads it again; a time or list typed wrongly is a usage error
    except ScheduleValueError as exc:
        raise RefusedValue(exc.code, **exc.params) from None
    saved = await _with_uow(
        lambda uow, now: schedule_admin.set_field(uow, unit=unit, field=field, value=value,
                                                  valid_from=start, valid_to=end,
                                                  actor=CLI_ACTOR, now=now),
        commit=True,
    )
    lang = current_language()
    shown, _ = schedule_admin.worded(saved.value, saved.unit, None, None, lang)
    if saved.valid_from is None:
        say("schedule.saved", field=field, value=shown, unit=saved.unit)
    elif saved.valid_to == FROM_THEN_ON:
        say("schedule.saved_since", field=field, value=shown, unit=saved.unit,
            start=format_date(saved.valid_from, lang))
    else:
        say("schedule.saved_period", field=field, value=shown, unit=saved.unit,
            start=format_date(saved.valid_from, lang), end=format_date(saved.valid_to, lang))


@calendar_app.command("list")
@run_async
async def calendar_list(
    start: dt.date | None = typer.Option(None, "--from", parser=date_ahead, help=f"{DATE_HELP}; default today"),
    end: dt.date | None = typer.Option(None, "--to", parser=date_ahead, help=f"{DATE_HELP}; default 90 days later"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """National holidays, cuti bersama, and the days off and directives added here."""
    first = start or office_today()
    last = end or first + dt.timedelta(days=90)
    entries = await _with_uow(lambda uow, now: calendar_admin.entries_between(uow, first, last))
    lang, table = current_language(), fmt is Format.TABLE
    emit([{"date": format_date(e.day, lang) if table else e.day.isoformat(),
           "kind": calendar_admin.kind_label(e.kind, lang) if table else e.kind, "name": e.name, "unit": e.scope}
          for e in entries],
         [("date", "col.date"), ("kind", "col.kind"), ("name", "col.name"), ("unit", "col.unit")], fmt)


@calendar_app.command("add")
@run_async
async def calendar_add(
    day: dt.date = typer.Argument(..., metavar="DATE", parser=date_ahead, help=DATE_HELP),
    kind: CalendarKind = typer.Argument(..., parser=calendar_kind,
                                        help="libur, tutup, wfh or wfo (as in /libur); or holiday, office_closed, "
                                             "all_wfh, all_wfo"),
    name: str = typer.Argument(..., help='what people are told, e.g. "HUT Provinsi Jambi"'),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit and the units below it."),
) -> None:
    """Add a day off or a directive; the same date, kind and unit again renames it (or changes nothing)."""
    added = await _with_uow(
        lambda uow, now: calendar_admin.add_entry(uow, day=day, kind=kind.value, name=name, unit=unit,
                                                  actor=CLI_ACTOR, now=now,
                                                  default_language=load_settings().default_language.value),
        commit=True,
    )
    lang, entry = current_language(), added.entry
    say(added.message, date=format_date(entry.day, lang), kind=calendar_admin.kind_label(entry.kind, lang),
        name=entry.name, unit=entry.scope or text(lang, "calendar.all_units"), old=added.old_name or "")
    if added.withdrawn or added.told:
        say("calendar.day_off_done", withdrawn=added.withdrawn, told=added.told)


@roster_app.command("generate")
@run_async
async def roster_generate(
    first: dt.date = typer.Option(..., "--from", parser=date_ahead, help=DATE_HELP),
    last: dt.date = typer.Option(..., "--to", parser=date_ahead, help=DATE_HELP),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit and the units below it."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Assign each person a mode per workday; lists the conflicts (exit 0 even with conflicts)."""
    load_settings()  # the catalog language
    with progress_bar() as bar:
        # A province's roster takes minutes: its units as they are planned, then the one write.
        planning = bar.add_task(text(current_language(), "roster.planning"), total=None)
        saving = bar.add_task(text(current_language(), "cli.import_writing"), total=None, visible=False)

        def planned(done: int, total: int) -> None:
            bar.update(planning, completed=done, total=total)
            bar.update(saving, visible=done == total)

        report = await _with_uow(
            lambda uow, now: roster_admin.generate_roster(uow, start=first, end=last, unit=unit, actor=CLI_ACTOR,
                                                          now=now, progress=planned),
            commit=True,
        )
    lang = current_language()
    emit([{"date": format_date(c.day, lang) if fmt is Format.TABLE else c.day.isoformat(), "unit": c.unit,
           "code": c.code, "detail": roster_admin.conflict_text(c, lang, report.names)} for c in report.conflicts],
         [("date", "col.date"), ("unit", "col.unit"), ("code", "col.code"), ("detail", "col.problem")], fmt,
         table_if_empty=False)
    say("roster.generated", start=format_date(first, lang), end=format_date(last, lang),
        written=report.written, kept=report.kept, conflicts=len(report.conflicts))


@roster_app.command("show")
@run_async
async def roster_show(
    first: dt.date = typer.Option(..., "--from", parser=date_ahead, help=DATE_HELP),
    end: dt.date | None = typer.Option(None, "--to", parser=date_ahead, help=f"{DATE_HELP}; default --from"),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit and the units below it."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """One record per person per day: date, nip, name, unit, mode, reason."""
    lines = await _with_uow(lambda uow, now: roster_admin.show_roster(uow, start=first, end=end or first,
                                                                      unit=unit))
    lang, table = current_language(), fmt is Format.TABLE
    emit([{"date": format_date(x.day, lang) if table else x.day.isoformat(), "nip": x.nip, "name": x.name,
           "unit": x.unit, "mode": _label(lang, "mode.{}", x.mode) if table else x.mode,
           "reason": _label(lang, "roster.reason_{}", x.reason) if table else x.reason}
          for x in lines],
         [("date", "col.date"), ("nip", "col.nip"), ("name", "col.name"), ("unit", "col.unit"), ("mode", "col.mode"),
          ("reason", "col.reason")], fmt)


@roster_app.command("set")
@run_async
async def roster_set(
    nip: str = typer.Argument(..., help="The person's NIP."),
    day: dt.date = typer.Argument(..., metavar="DATE", parser=date_ahead, help=DATE_HELP),
    mode: Mode = typer.Argument(..., case_sensitive=False,
                                help="wfo, wfh, piket, cuti, sakit, dl or libur (a day off for this person)"),
    reason: str = typer.Option("", "--reason", help="Why; shown with the day by apel roster show."),
) -> None:
    """Override one person's day; the generator keeps it."""
    await _with_uow(
        lambda uow, now: roster_admin.override_day(uow, nip=nip, day=day, mode=mode.value, reason=reason,
                                                   actor=CLI_ACTOR, now=now),
        commit=True,
    )
    say("roster.overridden", nip=nip, date=format_date(day, current_language()), mode=mode.value)
