"""Pictures for a glance, drawn with Pillow: the digest card and the evidence collage.

The core asks for them through `bot.ports.Pictures`; `PillowPictures` is the implementation. Pillow is
imported here and never in `bot/domain` or `bot/services`."""

from bot.pictures.collage import render_collage
from bot.pictures.digest_card import PillowPictures, render_card

__all__ = ["PillowPictures", "render_card", "render_collage"]
