"""Saying no: a polite catalog answer that names nothing the person may not see, and an audit entry
(who tried what, and on which target) so a wrong person at the door leaves a trace.

Only authorization refusals are audited: the target exists (or the command needs a role) and this
person may not touch it. A stale button of one's own (a report already reviewed, a resubmitted
revision) gets the same answer but no entry: it is the ordinary life of buttons, not an attempt."""

from __future__ import annotations

import hashlib
import hmac

from bot.domain.org_terms import Channel
from bot.services.turn import Turn

REFUSED = "refused"


def actor_label(turn: Turn) -> str:
    return f"person:{turn.actor.person_id}"


def stranger_label(key: bytes, channel: Channel, external_id: str) -> str:
    """A chat identity nobody is linked to, pseudonymised: the same account always gives the same label
    (repeated attempts can be told apart), but the log does not hold the Telegram id or the WhatsApp number.
    Keyed with the deployment's pseudonym key (storage/pseudonym_key.py): a plain hash of a chat id, a
    small number or a phone number, was reversed by anyone with the database by hashing candidates."""
    digest = hmac.new(key, f"{channel.value}:{external_id}".encode(), hashlib.sha256).hexdigest()[:16]
    return f"stranger:{channel.value}:{digest}"


async def refuse(turn: Turn, command: str, *, key: str = "common.not_available") -> None:
    """A command this person's role does not allow."""
    await turn.uow.audit.record(turn.now, actor_label(turn), REFUSED, {"command": command})
    turn.say(turn.t(key))


async def refuse_button(turn: Turn, button: str, target: int | str | None = None) -> None:
    """A button on something outside this person's reach (not theirs, not below them)."""
    await turn.uow.audit.record(turn.now, actor_label(turn), REFUSED, {"button": button, "target": target})
    turn.say(turn.t("common.not_available"))
