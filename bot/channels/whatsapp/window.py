"""WhatsApp's 24-hour customer-service window: inside it any message may go; outside it only an approved
template. Which template a message needs follows its `Reply.kind`; the full content is held until the
person writes again (outbound.py releases it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.messages import ReplyKind

WINDOW = dt.timedelta(hours=24)
# Meta counts from its own receipt of the message; a little slack avoids a refused send at the edge.
MARGIN = dt.timedelta(minutes=2)
# The person taps the template's quick-reply button; its payload brings the held content.
SHOW_PAYLOAD = "wa:show"


@dataclass(frozen=True)
class Templates:
    language: str = "id"
    briefing: str = "apel_briefing"
    reminder: str = "apel_pengingat"
    digest: str = "apel_rekap_siap"
    approval: str = "apel_perlu_persetujuan"
    notice: str = "apel_pesan_baru"

    def name_for(self, kind: str | None) -> str:
        return {
            ReplyKind.BRIEFING: self.briefing,
            ReplyKind.REMINDER: self.reminder,
            ReplyKind.DIGEST: self.digest,
            ReplyKind.APPROVAL: self.approval,
        }.get(kind, self.notice)


def window_open(last_inbound_at: dt.datetime | None, now: dt.datetime) -> bool:
    return last_inbound_at is not None and now < last_inbound_at + WINDOW - MARGIN


def template_components(name: str, day: str) -> list[dict]:
    """Every template has the same two body parameters: {{1}} the person's name, {{2}} the date."""
    return [{"type": "body", "parameters": [{"type": "text", "text": name}, {"type": "text", "text": day}]}]
