"""One attempt at sending one outbox message over the Cloud API, and what came of it (the outbox
sender decides what follows). The window rule stays the adapter's: outside a person's 24-hour window the
content is held and a template sent, which counts as sent; the content follows when they write."""

from __future__ import annotations

import httpx
from pywa_async.errors import MessageUndeliverable, RateLimitHit, ReEngagementMessage, ToManyAPICalls, WhatsAppError

from bot.channels.whatsapp.outbound import WhatsAppSender
from bot.channels.whatsapp.window import window_open
from bot.messages import Outgoing, Urgency
from bot.outbox.records import Attempt, Outcome

THROUGHPUT_WAIT_S = 2.0  # 130429 / code 4: the number's throughput; the whole channel waits


class WhatsAppTransport:
    def __init__(self, sender: WhatsAppSender):
        self.sender = sender

    async def attempt(self, outgoing: Outgoing, parts_sent: int) -> Attempt:
        sender, to = self.sender, outgoing.external_id
        try:
            if outgoing.urgency is not Urgency.REPLY and not window_open(await sender.store.last_inbound(to),
                                                                          sender._clock.now()):
                await sender._hold_and_template(outgoing)
                return Attempt(Outcome.SENT, 1, reason="held; template sent")
            try:
                await sender._render(outgoing)
            except ReEngagementMessage:  # 131047: our idea of the window was wrong
                await sender.store.close_window(to)
                await sender._hold_and_template(outgoing)
                return Attempt(Outcome.SENT, 1, reason="held after 131047; template sent")
            return Attempt(Outcome.SENT, 1)
        except MessageUndeliverable:  # 131026: the outbox sender marks the account and flags the digest
            return Attempt(Outcome.UNREACHABLE, 0, reason="131026 undeliverable")
        except (RateLimitHit, ToManyAPICalls) as exc:
            return Attempt(Outcome.RETRY_AFTER, 0, THROUGHPUT_WAIT_S, f"{exc.code} throughput")
        except WhatsAppError as exc:
            return Attempt(Outcome.REJECTED, 0, reason=f"{exc.code} {exc.message}"[:300])
        except httpx.TimeoutException as exc:
            return Attempt(Outcome.UNCERTAIN, 0, reason=type(exc).__name__)
        except (httpx.HTTPError, OSError) as exc:
            return Attempt(Outcome.TRANSIENT, 0, reason=type(exc).__name__)
