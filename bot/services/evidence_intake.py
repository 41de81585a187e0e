"""Evidence sent during the day: checked, stored, attached to a task (asking which when unclear)."""

from __future__ import annotations

import datetime as dt

from bot.day_records import NewEvidence
from bot.domain.evidence import EvidenceKind, EvidencePolicy, MediaRefused, classify
from bot.domain.exif_checks import taken_instant
from bot.domain.html import clip, esc
from bot.domain.tasks import TaskStatus
from bot.messages import BUTTONS_MAX, Button
from bot.ports import MediaStore
from bot.services import evidence_checks, presence_checks
from bot.services.refusal import refuse_button
from bot.services.turn import Turn, action, numeric

DEFAULT_POLICY = EvidencePolicy()
# A channel without album ids (`MediaIn.album_ids`: WhatsApp): an album's pictures arrive as messages of their own, seconds apart. One that
# comes this soon after the picture whose "which task?" is still unanswered joins that question; one that
# comes this soon after a picture receipted for the same task shares that receipt.
ALBUM_GAP = dt.timedelta(seconds=10)


async def on_media(turn: Turn, media_store: MediaStore, policy: EvidencePolicy = DEFAULT_POLICY) -> None:
    media = turn.inbound.media
    kind = classify(is_photo=media.is_photo, mime=media.mime, filename=media.filename, size=media.size,
                    max_bytes=policy.max_bytes)
    if not isinstance(kind, EvidenceKind):
        turn.say(turn.t(kind, limit_mb=policy.max_mb))
        return
    try:
        content = await turn.fetcher.fetch(media.file_ref)
    except Exception:  # noqa: BLE001 - any failed download gets the same polite answer; nothing was stored
        turn.say(turn.t("evidence.download_failed"))
        return
    if not content:
        turn.say(turn.t("evidence.empty"))
        return
    if len(content) > policy.max_bytes:
        turn.say(turn.t("evidence.too_big", limit_mb=policy.max_mb))
        return
    try:
        stored = await media_store.save(content, filename=media.filename, mime=media.mime, kind=kind.value)
    except MediaRefused as refused:
        turn.say(turn.t(refused.code, **refused.params))
        return
    taken_at = taken_instant(stored.taken, turn.actor.timezone) if stored.taken else None
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
            derivative_path=stored.derivative_path,
            phash=stored.phash,
            taken_at=taken_at,
        )
    )
    notes = await evidence_checks.check(turn, stored, evidence_id, taken_at, policy, media_store)
    told = "\n\n".join(turn.t(n.key, **n.params) for n in notes)
    if await presence_checks.on_evidence(turn, evidence_id, kind):
        if told:
            turn.say(told)
        return  # the selfie of an open presence check, not a task's evidence
    pending = data.get("ids", []) if state == "evidence_pick" else []
    if pending and ((media.album and data.get("album") == media.album) or _soon_after(data.get("at"), turn.now)):
        # The rest of an album joins the question already asked for its first photo.
        await turn.set_state("evidence_pick", ids=pending + [evidence_id], album=media.album, at=turn.now.isoformat())
        if told:
            turn.say(told)
        return
    if task_id is not None or not open_tasks:
        title = next((t.title for t in open_tasks if t.id == task_id), None)
        if title is None and task_id is not None:  # chosen with 📎 after ticking it done, or due later
            task = await turn.uow.day.task(task_id)
            title = task.title if task is not None else None
        if await _receipted_with_earlier(turn, media, kind, task_id, evidence_id, state, data):
            if told:  # an album is receipted once, for its first item; a check's remark still comes
                turn.say(told)
            return
        if state == "evidence_for":
            await turn.set_state("evidence_for", task_id=task_id, acked=media.album)
        key = "evidence.received_task" if title else "evidence.received_day"
        turn.say(_with(turn.t(key, kind=turn.t(f"evidence.kind_{kind.value}"), title=esc(title or "")), told))
        return
    # Pictures still waiting for an answer stay in the new question: answering it attaches them all.
    await turn.set_state("evidence_pick", ids=pending + [evidence_id], album=media.album, at=turn.now.isoformat())
    # Telegram refuses a keyboard of more than BUTTONS_MAX buttons: tasks carried over for months are cut,
    # the question still goes, and the rest can be attached from /tugas.
    shown = open_tasks[:BUTTONS_MAX - 1]
    rows = [(Button(f"{i}. {clip(t.title, 40)}", action("ev", t.id)),) for i, t in enumerate(shown, 1)]
    rows.append((Button(turn.t("button.for_the_day"), action("ev", 0)),))
    question = turn.t("evidence.which_task")
    if len(shown) < len(open_tasks):
        question += "\n" + turn.t("evidence.which_task_first", shown=len(shown), count=len(open_tasks))
    turn.say(_with(question, told), rows)


async def _receipted_with_earlier(turn: Turn, media, kind: EvidenceKind, task_id: int | None, evidence_id: int,
                                  state: str | None, data: dict) -> bool:
    """Whether an earlier item sent with this one was receipted already: of the same album (Telegram), or, where
    the channel has no album ids (WhatsApp), a picture of the same kind for the same task within ALBUM_GAP
    before it. A file sent on its own (a PDF after a photo, a Telegram photo outside an album) gets its own
    receipt."""
    if media.album:
        if state == "evidence_for":
            return data.get("acked") == media.album
        return await turn.uow.day.album_received_before(turn.actor.person_id, media.album, evidence_id)
    if media.album_ids or not media.is_photo:
        return False
    return await turn.uow.day.burst_received_before(turn.actor.person_id, task_id, kind.value,
                                                    turn.now - ALBUM_GAP, evidence_id)


def _soon_after(asked_at: str | None, now: dt.datetime) -> bool:
    return asked_at is not None and dt.timedelta(0) <= now - dt.datetime.fromisoformat(asked_at) <= ALBUM_GAP


def _with(receipt: str, told: str) -> str:
    """The receipt and, in the same message, what the checks noticed."""
    return f"{receipt}\n\n{told}" if told else receipt


async def on_pick(turn: Turn, parts: list[str]) -> None:
    state, data = await turn.state()
    if state != "evidence_pick" or len(parts) != 2 or not numeric(parts[1]):
        turn.say(turn.t("common.not_available"))
        return
    task_id = int(parts[1]) or None
    title = None
    if task_id is not None:
        task = await turn.uow.day.task(task_id)
        if task is not None and task.person_id != turn.actor.person_id:
            await refuse_button(turn, "ev", task.id)
            return
        if task is None:
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
