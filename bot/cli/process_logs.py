"""What a long-running `apel run` process logs (web, sender, scheduler, the channels): Apel's own lines at
LOG_LEVEL, libraries' from WARNING on, each with its time, level and logger, as journald and a plain file
both read well. The console chat and the other commands keep the terminal to their own output."""

from __future__ import annotations

import logging

APEL_LOGGERS = ("bot", "storage", "schedules", "apel")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: str) -> None:
    # basicConfig leaves a root that already has handlers alone (pytest's capture, an embedding program).
    logging.basicConfig(level=logging.WARNING, format=FORMAT)
    for name in APEL_LOGGERS:
        logging.getLogger(name).setLevel(level)
