"""README's data inventory ("Personal data held") names every table and every file Apel keeps: an officer
answering a data subject or an auditor reads it, not the schema."""

import re
from pathlib import Path

from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (every table on one metadata)
from bot.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
INVENTORY = README.split("## Personal data held (data inventory)")[1].split("\n## ")[0]


def test_every_table_is_in_the_inventory():
    # org_unit (office geofences) and scheduler_lease (a host name) were not, so nobody could tell whether
    # they were left out or hold nothing personal.
    named = set(re.findall(r"`([a-z_]+)(?:\.[a-z_*]+)?`", INVENTORY))
    assert sorted(set(SQLModel.metadata.tables) - named) == []


def test_every_file_apel_writes_is_in_the_inventory():
    for folder in ("originals", "derivatives", "thumbs"):
        assert f"`MEDIA_DIR/{folder}`" in INVENTORY
    assert "`SENDER_JOURNAL`" in INVENTORY and Settings.model_fields["sender_journal"].default is not None
    assert "logs" in INVENTORY and "stderr" in INVENTORY
