"""The outbox: outgoing messages stored with the change that causes them, then sent by workers under
the platforms' rate limits, most urgent first (DESIGN.md "The outbox")."""
