"""Driving the core conversation in tests: people who type, tap, send files and locations."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Sequence

from PIL import Image

from bot.domain.evidence import EvidencePolicy
from bot.domain.org_terms import Channel
from bot.exports import export_bytes
from bot.messages import Inbound, LocationIn, MediaIn, Outgoing
from bot.services.conversation import Conversation
from bot.services.invites import LinkSettings, issue_invites
from bot.spreadsheet import UploadedSheetReader
from storage.media_store import FileMediaStore

MONDAY_0900_WIB = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
PSEUDONYM_KEY = b"test-pseudonym-key"  # the deployment's key for strangers' audit labels


def jpeg(color=(200, 40, 40), size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


class FakeFetcher:
    """Files 'uploaded' by test people, by reference."""

    def __init__(self):
        self.files: dict[str, bytes] = {}

    def add(self, content: bytes) -> str:
        ref = f"file-{len(self.files) + 1}"
        self.files[ref] = content
        return ref

    async def fetch(self, file_ref: str) -> bytes:
        return self.files[file_ref]


class ChatHarness:
    def __init__(self, db, clock, media_dir, channel: Channel = Channel.TELEGRAM,
                 evidence_policy: EvidencePolicy | None = None, default_language: str = "id"):
        self.db = db
        self.clock = clock
        self.channel = channel
        self.fetcher = FakeFetcher()
        self.events = itertools.count(1)
        self.conversation = Conversation(
            db.uow,
            clock=clock,
            media=FileMediaStore(media_dir),
            sheets=UploadedSheetReader(),
            default_language=default_language,
            default_timezone="Asia/Jakarta",
            links=LinkSettings("ApelTestBot", "+6281100001111"),
            invite_ttl=dt.timedelta(days=14),
            pseudonym_key=PSEUDONYM_KEY,
            exporter=export_bytes,
            evidence_policy=evidence_policy,
        )

    async def codes(self) -> dict[str, str]:
        issued = await issue_invites(
            self.db.uow, clock=self.clock, channel=self.channel, unit=None, ttl=dt.timedelta(days=14),
            links=LinkSettings("ApelTestBot", "+6281100001111"), actor="test",
        )
        return {i.nip: i.code for i in issued}

    async def link(self, people: Sequence[tuple[str, str]], home: tuple[float, float] | None = None) -> None:
        """Each (sender, NIP) opens their invite; with `home`, shares it as their home location."""
        codes = await self.codes()
        for sender, nip in people:
            await self.text(sender, f"/start {codes[nip]}")
            if home is not None:
                await self.location(sender, *home)

    async def send(self, sender: str, *, key: str | None = None, **fields) -> list[Outgoing]:
        inbound = Inbound(
            channel=self.channel, sender=sender, event_key=key or f"ev-{next(self.events)}", at=self.clock.now(),
            **fields,
        )
        return await self.conversation.handle(inbound, self.fetcher)

    async def text(self, sender: str, text: str, **kw) -> list[Outgoing]:
        return await self.send(sender, text=text, **kw)

    async def tap(self, sender: str, action: str) -> list[Outgoing]:
        return await self.send(sender, tap=action)

    async def photo(self, sender: str, content: bytes | None = None, album: str | None = None, *,
                    album_ids: bool = True) -> list[Outgoing]:
        data = content if content is not None else jpeg()
        ref = self.fetcher.add(data)
        return await self.send(sender, media=MediaIn(ref, None, "image/jpeg", len(data), True, album, album_ids))

    async def document(self, sender: str, content: bytes, filename: str, mime: str | None) -> list[Outgoing]:
        ref = self.fetcher.add(content)
        return await self.send(sender, media=MediaIn(ref, filename, mime, len(content), False))

    async def location(self, sender: str, lat: float, lon: float, **kw) -> list[Outgoing]:
        return await self.send(sender, location=LocationIn(lat, lon, **kw))


def texts(out: list[Outgoing], to: str | None = None) -> str:
    return "\n---\n".join(o.reply.text for o in out if to is None or o.external_id == to)


def actions(out: list[Outgoing]) -> list[str]:
    return [b.action for o in out for row in o.reply.buttons for b in row if b.action]
