"""Tasks: what a person works on, assigned by a superior (disposisi) or added by themselves."""

from __future__ import annotations

from enum import StrEnum

MAX_TITLE = 500
MAX_REASON = 300


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


class TaskSource(StrEnum):
    ASSIGNED = "assigned"
    OWN = "own"


STATUS_MARK = {
    TaskStatus.OPEN: "⬜",
    TaskStatus.IN_PROGRESS: "🔄",
    TaskStatus.DONE: "✅",
    TaskStatus.BLOCKED: "⛔",
}


def clean_text(text: str | None, limit: int) -> str | None:
    """A task title or reason as typed, folded to one line; None when empty or too long."""
    folded = " ".join((text or "").split())
    if not folded or len(folded) > limit:
        return None
    return folded
