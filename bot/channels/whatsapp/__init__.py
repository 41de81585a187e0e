"""WhatsApp Cloud API adapter (pywa, async): signed webhook → Inbound, Outgoing → Graph API. See app.py."""
