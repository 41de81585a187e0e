from __future__ import annotations

from bot.domain.html import esc


class ServiceError(Exception):
    """A refusal a user should read: `code` is a key of the texts catalog, `params` fill it in."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def chat_params(self) -> dict:
        """`params` for a chat reply, which is HTML: what the person typed (a unit, a field, a value) is
        echoed escaped, as typed; a tag in it used to make Telegram refuse the whole reply."""
        return {key: esc(value) if isinstance(value, str) else value for key, value in self.params.items()}
