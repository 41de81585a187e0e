"""The ZIP of `apel person export`: person.json (every table's rows about the person) and their evidence
files. Written in a thread: reading files and compressing is blocking work."""

from __future__ import annotations

import asyncio
import json
import os
import zipfile
from pathlib import Path

from bot.services.person_data import PersonExport


async def write_archive(export: PersonExport, target: Path) -> int:
    """Write the archive (readable by its owner only); the number of files included."""
    return await asyncio.to_thread(_write, export, target)


def _write(export: PersonExport, target: Path) -> int:
    included = 0
    tmp = target.with_name(target.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("person.json", json.dumps(export.data, ensure_ascii=False, indent=2, default=str))
            for name, path in export.files:
                if os.path.exists(path):
                    archive.write(path, name)
                    included += 1
        os.chmod(tmp, 0o600)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)  # half an archive of personal data must not stay behind
        raise
    return included
