"""Tables the WhatsApp adapter owns (the core never reads them): each chat's 24-hour window and numbered
menu, content held until a person reopens their window, and the Cloud API's status of what was sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from storage.types import time_field as _time


class WhatsAppChat(SQLModel, table=True):
    """One WhatsApp identity (business-scoped user id, or the phone's wa_id where Meta gives no user id)."""

    __tablename__ = "whatsapp_chat"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True)
    wa_id: str | None = Field(default=None, max_length=20)  # the phone (digits of E.164), when Meta shares it
    last_inbound_at: dt.datetime | None = _time(nullable=True)  # opens the 24-hour customer-service window
    menu: str | None = Field(default=None, sa_type=Text)  # JSON list of actions of the last numbered menu
    menu_at: dt.datetime | None = _time(nullable=True)


class WhatsAppHeld(SQLModel, table=True):
    """Content that could not be sent outside the window: a template went instead; this follows the reply."""

    __tablename__ = "whatsapp_held"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    kind: str | None = Field(default=None, max_length=20)
    payload: str = Field(sa_type=Text)  # the Reply as JSON
    held_at: dt.datetime = _time()
    released_at: dt.datetime | None = _time(nullable=True)


class WhatsAppSent(SQLModel, table=True):
    """One message accepted by the Cloud API; status callbacks (sent/delivered/read/failed) land here."""

    __tablename__ = "whatsapp_sent"

    id: int | None = Field(default=None, primary_key=True)
    wamid: str = Field(max_length=128, unique=True)
    external_id: str = Field(max_length=64, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    kind: str | None = Field(default=None, max_length=20)  # briefing, reminder, template:<name>, …
    sent_at: dt.datetime = _time()
    status: str = Field(default="accepted", max_length=12)
    status_at: dt.datetime | None = _time(nullable=True)
    error_code: int | None = None
