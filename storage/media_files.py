"""Evidence files as retention and erasure see them: sizes and deletion, in a thread (file I/O stays off
the event loop). Paths are the ones stored in `evidence`; a missing file is not an error."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence


class LocalMediaFiles:
    async def sizes(self, paths: Sequence[str]) -> dict[str, int]:
        return await asyncio.to_thread(_sizes, list(paths))

    async def remove(self, paths: Sequence[str]) -> None:
        await asyncio.to_thread(_remove, list(paths))


def _sizes(paths: list[str]) -> dict[str, int]:
    found = {}
    for path in paths:
        try:
            found[path] = os.stat(path).st_size
        except FileNotFoundError:
            continue
    return found


def _remove(paths: list[str]) -> None:
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            continue
