from __future__ import annotations


class ServiceError(Exception):
    """A refusal a user should read: `code` is a key of the texts catalog, `params` fill it in."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params
