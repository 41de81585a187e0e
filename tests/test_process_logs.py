"""LOG_LEVEL sets what Apel's own loggers say in `apel run`'s processes; libraries stay at warnings."""

import logging

import pytest

from bot.cli.process_logs import APEL_LOGGERS, configure


@pytest.fixture
def restored_levels():
    names = APEL_LOGGERS + ("aiogram",)
    before = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


def test_log_level_sets_apels_loggers_and_leaves_libraries_at_warnings(restored_levels):
    configure("DEBUG")
    assert logging.getLogger("bot.outbox.sender").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("schedules.clock_runner").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("apel.outage").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("aiogram.event").isEnabledFor(logging.INFO)  # an update a line: too many
    configure("ERROR")
    assert not logging.getLogger("bot.outbox.sender").isEnabledFor(logging.WARNING)
