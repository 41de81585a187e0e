"""Admins in chat: send the org chart as a document (same import as the CLI), /undang (the invites CSV
of a unit), /umumkan (an announcement to a unit or everyone). Refused politely to others, and audited."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from bot.domain.evidence import EvidenceKind, classify
from bot.domain.html import esc
from bot.domain.org_sync import deactivation_key
from bot.domain.org_terms import Channel
from bot.domain.org_tree import depth_first
from bot.domain.pick_labels import pick_labels
from bot.messages import Attachment, Button, MediaIn, Reply, Urgency
from bot.ports import SheetReader
from bot.services.errors import ServiceError
from bot.services.invites import LinkSettings, invites_csv, issue_into
from bot.services.month_export import slug
from bot.services.org_directory import units_under
from bot.services.org_import import import_into
from bot.services.refusal import actor_label, refuse_button
from bot.services.refusal import refuse as refuse_command
from bot.services.turn import Turn, action, numeric

SHEET_SUFFIXES = {".csv", ".xlsx"}
ERRORS_SHOWN = 15
MAX_ANNOUNCEMENT = 3000


async def refuse(turn: Turn, what: str) -> None:
    await refuse_command(turn, what, key="admin.only")


def is_sheet(filename: str | None) -> bool:
    return bool(filename) and PurePath(filename).suffix.lower() in SHEET_SUFFIXES


async def try_import(turn: Turn, reader: SheetReader, default_timezone: str, max_bytes: int, *,
                     media: MediaIn | None = None, confirmed: str | None = None) -> bool:
    """Handle an admin's CSV/XLSX as an org chart; False when it is no org chart (then it is evidence).
    `media`: a file sent earlier (confirmed with `orgimp`) instead of the one in this message; `confirmed`:
    the `deactivation_key` of the people its held reply listed."""
    media = media or turn.inbound.media
    if media.size is not None and media.size > max_bytes:
        return False  # the evidence path refuses it by its size, before any download
    try:
        content = await turn.fetcher.fetch(media.file_ref)
    except Exception:  # noqa: BLE001 - any failed download gets the same polite answer; nothing was read
        turn.say(turn.t("evidence.download_failed"))
        return True
    if len(content) > max_bytes:
        turn.say(turn.t("evidence.too_big", limit_mb=max_bytes // (1024 * 1024)))
        return True
    try:
        header, rows = await reader.read(content, media.filename)
        report = await import_into(
            turn.uow, header, rows, now=turn.now, clock=None, default_timezone=default_timezone,
            actor=actor_label(turn), confirmed=confirmed,
        )
    except ServiceError as exc:
        not_a_chart = exc.code in ("sheet.no_header", "sheet.missing_columns", "sheet.unsupported")
        # Only a file that could be evidence (an .xlsx) goes on as evidence; a .csv never can, so the
        # admin learns what is wrong with it as a sheet instead of "not accepted as evidence".
        if not_a_chart and isinstance(classify(is_photo=False, mime=media.mime, filename=media.filename,
                                               size=len(content), max_bytes=max_bytes), EvidenceKind):
            return False
        turn.say(turn.t(exc.code, **exc.chat_params(turn.lang)))
        return True
    if report.errors:
        lines = [turn.t("admin.import_refused", count=len(report.rejected_rows))]
        for e in report.errors[:ERRORS_SHOWN]:
            lines.append(turn.t("admin.row_error", row=e.row, column=e.column or "", problem=esc(turn.t(e.code, **e.params))))
        if len(report.errors) > ERRORS_SHOWN:
            lines.append(turn.t("admin.more_errors", count=len(report.errors) - ERRORS_SHOWN))
        turn.say("\n".join(lines))
        return True
    lines = [turn.t("admin.import_held", count=len(report.deactivated), active=report.active_before)] if report.held else []
    if report.held and confirmed is not None:  # its button was pressed; whom it deactivates changed since
        lines.insert(0, turn.t("admin.import_changed"))
    lines += [turn.t("cli.import_held_summary" if report.held else "cli.import_summary", rows=report.rows_read,
                    created=report.people_created,
                    updated=report.people_updated, unchanged=report.people_unchanged,
                    deactivated=len(report.deactivated), units_created=report.units_created,
                    units_updated=report.units_updated)]
    if report.deactivated:
        lines.append(turn.t("cli.import_deactivated", count=len(report.deactivated)))
        lines += [f"• {nip} {esc(name)}" for nip, name in report.deactivated[:ERRORS_SHOWN]]
    if report.unsupervised:
        lines.append(turn.t("cli.import_unsupervised", count=len(report.unsupervised)))
        lines += [f"• {nip} {esc(name)}" for nip, name in report.unsupervised[:ERRORS_SHOWN]]
    if report.nip_changes:
        lines.append(turn.t("cli.import_nip_changes", count=len(report.nip_changes)))
        lines += [f"• {esc(name)}: {old} → {new}" for name, old, new in report.nip_changes[:ERRORS_SHOWN]]
    if report.emptied_units:
        lines.append(turn.t("cli.import_emptied_units", count=len(report.emptied_units)))
        lines += [f"• {esc(unit)}" for unit in report.emptied_units[:ERRORS_SHOWN]]
    if not report.held:
        turn.say("\n".join(lines))
        return True
    # The file is fetched again on the confirmation: the chat keeps its handle, not its content.
    await turn.set_state("org_import", file_ref=media.file_ref, filename=media.filename, mime=media.mime,
                         deactivating=deactivation_key(nip for nip, _ in report.deactivated))
    turn.say("\n".join(lines), ((Button(turn.t("button.import_anyway", count=len(report.deactivated)),
                                         action("orgimp")),),))
    return True


async def confirm_import(turn: Turn, reader: SheetReader, default_timezone: str, max_bytes: int) -> None:
    """`orgimp`: the admin confirms an org chart held because it deactivates many people."""
    if not turn.actor.is_admin:
        await refuse_button(turn, "orgimp")
        return
    state, data = await turn.state()
    if state != "org_import" or not data.get("file_ref"):
        turn.say(turn.t("admin.import_nothing_held"))
        return
    await turn.clear_state()
    media = MediaIn(data["file_ref"], data.get("filename"), data.get("mime"), None, is_photo=False)
    # Only the people its list showed: a file that would now deactivate others is held again, with the new list.
    await try_import(turn, reader, default_timezone, max_bytes, media=media, confirmed=data.get("deactivating", ""))


async def invites(turn: Turn, args: str, *, links: LinkSettings, ttl: dt.timedelta) -> None:
    if not turn.actor.is_admin:
        await refuse(turn, "undang")
        return
    channel = Channel.WHATSAPP if turn.inbound.channel is Channel.WHATSAPP else Channel.TELEGRAM
    unit = args.strip() or None
    issued = await issue_into(turn.uow, now=turn.now, channel=channel, unit=unit, ttl=ttl,
                              links=links, actor=actor_label(turn))
    if not issued:
        turn.say(turn.t("cli.invite_none_in_unit", unit=esc(unit)) if unit else turn.t("cli.invite_none"))
        return
    # As /ekspor names its files: ASCII letters, digits and dashes (a unit's & < > / " are no file name's).
    name = f"undangan-{slug(args) or 'semua'}.csv"
    turn.say(turn.t("admin.invites_ready", count=len(issued)),
             attachment=Attachment(filename=name, content=invites_csv(issued)))


async def start_announce(turn: Turn, args: str) -> None:
    if not turn.actor.is_admin:
        await refuse(turn, "umumkan")
        return
    if args.strip():
        await on_announce_text(turn, args)
        return
    await turn.set_state("announce", step="text")
    turn.say(turn.t("admin.ask_announcement"))


async def on_announce_text(turn: Turn, text: str) -> None:
    if not turn.actor.is_admin:  # begun as an admin, demoted before writing it: the draft goes, as the command would
        await turn.clear_state()
        await refuse(turn, "umumkan")
        return
    body = text.strip()
    if not body or len(body) > MAX_ANNOUNCEMENT:
        turn.say(turn.t("admin.bad_announcement", limit=MAX_ANNOUNCEMENT))
        return
    await turn.set_state("announce", step="target", text=body)
    stored = await turn.uow.org.stored_units()
    top = [stored[name] for depth, name in depth_first({u.name: u.parent for u in stored.values()}) if depth <= 1]
    rows = [(Button(turn.t("admin.everyone"), action("ann", 0)),)]
    # Units named alike in their first words ("Bidang … Wilayah Utara" / "… Selatan") keep their ends.
    labels = pick_labels([(u.name, str(u.id)) for u in top[:9]], 40)
    rows += [(Button(label, action("ann", u.id)),) for label, u in zip(labels, top[:9], strict=True)]
    turn.say(turn.t("admin.ask_target"), rows)


async def on_target(turn: Turn, parts: list[str]) -> None:
    if not turn.actor.is_admin:
        if (await turn.state())[0] == "announce":  # demoted while choosing the unit: the draft goes
            await turn.clear_state()
        await refuse_button(turn, "ann", parts[1] if len(parts) > 1 else None)
        return
    state, data = await turn.state()
    if state != "announce" or len(parts) != 2 or not numeric(parts[1]):
        turn.say(turn.t("common.not_available"))
        return
    unit_id = int(parts[1])
    stored = await turn.uow.org.stored_units()
    unit = next((u.name for u in stored.values() if u.id == unit_id), None)
    if unit_id and unit is None:
        turn.say(turn.t("common.not_available"))
        return
    people = await turn.uow.people.everyone_in(await units_under(turn.uow, unit) if unit else None)
    # Only those with a chat the bot may write to receive it; the admin is told how many do not.
    reached = sorted({a.person_id for a in await turn.uow.people.addresses(people)})
    body, sender = esc(data["text"]), esc(turn.actor.name)
    for person_id in reached:
        turn.tell(person_id, lambda t: Reply(t("admin.announcement", sender=sender, text=body)), Urgency.BULK)
    await turn.clear_state()
    await turn.uow.audit.record(turn.now, actor_label(turn), "announce",
                                {"unit": unit, "count": len(reached), "without_chat": len(people) - len(reached)})
    said = [turn.t("admin.announced", count=len(reached), target=esc(unit or turn.t("admin.everyone")))]
    if len(people) > len(reached):
        said.append(turn.t("admin.announced_without_chat", count=len(people) - len(reached)))
    turn.say("\n".join(said), edit=True)
