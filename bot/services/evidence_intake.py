"""Evidence sent during the day: checked, stored, attached to a task (asking which when unclear)."""

from __future__ import annotations

from bot.day_records import NewEvidence
from bot.domain.evidence import MAX_DOWNLOAD_BYTES, EvidenceKind, classify
from bot.domain.html import clip, esc
from bot.domain.tasks import TaskStatus
from bot.messages import Button
from bot.ports import MediaStore
from bot.services import presence_checks
from bot.services.turn import Turn, action


async def on_media(turn: Turn, media_store: MediaStore) -> None:
    media = turn.inbound.media
    kind = classify(is_photo=media.is_photo, mime=media.mime, filename=media.filename, size=media.size)
    if not isinstance(kind, EvidenceKind):
        turn.say(turn.t(kind, limit_mb=MAX_DOWNLOAD_BYTES // (1024 * 1024)))
        return
    try:
        content = await turn.fetcher.fetch(media.file_ref)
    except Exception:  # noqa: BLE001 - any failed download gets the same polite answer; nothing was stored
        turn.say(turn.t("evidence.download_failed"))
        return
    if not content:
        turn.say(turn.t("evidence.empty"))
        return
    if len(content) > MAX_DOWNLOAD_BYTES:
        turn.say(turn.t("evidence.too_big", limit_mb=MAX_DOWNLOAD_BYTES // (1024 * 1024)))
        return
    stored = await media_store.save(content, filename=media.filename, mime=media.mime)
    state, data = await turn.state()
    open_tasks = [
        t for t in await turn.uow.day.tasks_for_day(turn.actor.person_id, turn.today) if t.status != TaskStatus.DONE
    ]
    task_id = None
    if state == "evidence_for":
        task_id = data.get("task_id")
    elif len(open_tasks) == 1:
        task_id = open_tasks[0].id
    evidence_id = await turn.uow.day.add_evidence(
        NewEvidence(
            person_id=turn.actor.person_id,
            day=turn.today,
            task_id=task_id,
            kind=kind.value,
            sha256=stored.sha256,
            path=stored.path,
            thumb_path=stored.thumb_path,
            mime=media.mime,
            filename=clip(media.filename, 255) if media.filename else None,
            size=stored.size,
            album=media.album,
            caption=clip(turn.inbound.caption, 1024) if turn.inbound.caption else None,
            received_at=turn.now,
        )
    )
    if await presence_checks.on_evidence(turn, evidence_id, kind):
        return  # the selfie of an open presence check, not a task's evidence
    if state == "evidence_pick" and media.album and data.get("album") == media.album:
        # The rest of an album joins the question already asked for its first photo.
        await turn.set_state("evidence_pick", ids=data.get("ids", []) + [evidence_id], album=media.album)
        return
    if task_id is not None or not open_tasks:
        title = next((t.title for t in open_tasks if t.id == task_id), None)
        if state == "evidence_for" and media.album and data.get("acked") == media.album:
            return
        if state == "evidence_for":
            await turn.set_state("evidence_for", task_id=task_id, acked=media.album)
        key = "evidence.received_task" if title else "evidence.received_day"
        turn.say(turn.t(key, kind=turn.t(f"evidence.kind_{kind.value}"), title=esc(title or "")))
        return
    await turn.set_state("evidence_pick", ids=[evidence_id], album=media.album)
    rows = [(Button(f"{i}. {clip(t.title, 40)}", action("ev", t.id)),) for i, t in enumerate(open_tasks, 1)]
    rows.append((Button(turn.t("button.for_the_day"), action("ev", 0)),))
    turn.say(turn.t("evidence.which_task"), rows)


async def on_pick(turn: Turn, parts: list[str]) -> None:
    state, data = await turn.state()
    if state != "evidence_pick" or len(parts) != 2 or not parts[1].isdigit():
        turn.say(turn.t("common.not_available"))
        return
    task_id = int(parts[1]) or None
    title = None
    if task_id is not None:
        task = await turn.uow.day.task(task_id)
        if task is None or task.person_id != turn.actor.person_id:
            turn.say(turn.t("common.not_available"))
            return
        title = task.title
    ids = [int(i) for i in data.get("ids", [])]
    await turn.uow.day.attach_evidence(ids, turn.actor.person_id, task_id)
    await turn.clear_state()
    if title:
        turn.say(turn.t("evidence.attached_task", count=len(ids), title=esc(title)), edit=True)
    else:
        turn.say(turn.t("evidence.attached_day", count=len(ids)), edit=True)
