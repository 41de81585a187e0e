from __future__ import annotations

import datetime as dt

from bot.domain.html import esc
from bot.texts import format_date


class ServiceError(Exception):
    """A refusal a user should read: `code` is a key of the texts catalog, `params` fill it in."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def worded(self, lang) -> dict:
        """`params` with a date written out in `lang` ("Sabtu, 28 November 2026"), as replies write dates."""
        return {key: format_date(value, lang) if type(value) is dt.date else value for key, value in self.params.items()}

    def chat_params(self, lang) -> dict:
        """`params` for a chat reply, which is HTML: what the person typed (a unit, a field, a value) is
        echoed escaped, as typed; a tag in it used to make Telegram refuse the whole reply."""
        return {key: esc(value) if isinstance(value, str) else value for key, value in self.worded(lang).items()}
