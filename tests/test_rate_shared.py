"""Two sender processes on one Redis share one limit: in no 1-second window do they take more than the
bulk rate between them. Judged at the moments the limiter stamped its grants, not at arrival somewhere
else, where a busy process's event loop (or a stand-in waiting for the GIL) bunches them."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bot.outbox.rate import storage_for

ROOT = Path(__file__).resolve().parent.parent
BULK, TOTAL, SECONDS = 10, 12, 4.0
OUT_OF_ORDER = 1  # see the assertion


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def busiest(stamps: list[float], window: float = 1.0) -> int:
    """The most stamps within any half-open window of `window` seconds."""
    stamps, most, start = sorted(stamps), 0, 0
    for end, t in enumerate(stamps):
        while t - stamps[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_busiest_counts_a_window_from_each_stamp():
    assert busiest([0.0, 0.5, 0.99, 1.0, 1.7]) == 3  # 1.0 is outside the window that opens at 0.0
    assert busiest([0.0, 0.1, 0.2, 0.3, 1.5]) == 4
    assert busiest([]) == 0


def test_two_processes_never_take_more_than_the_bulk_rate_in_any_second():
    if not _redis_up():
        if os.environ.get("APEL_REQUIRE_POSTGRES") == "1":  # CI starts Redis and wants this run
            pytest.fail("Redis on 127.0.0.1:6379 is not reachable and APEL_REQUIRE_POSTGRES=1")
        pytest.skip("Redis on 127.0.0.1:6379 is not reachable")
    prefix = f"apel-rate-{uuid.uuid4().hex[:10]}"
    args = [sys.executable, "-m", "tests.rate_limit_process", prefix, str(SECONDS), str(BULK), str(TOTAL)]
    try:
        runs = [subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [run.communicate(timeout=60)[0] for run in runs]
    finally:
        asyncio.run(storage_for("redis://127.0.0.1:6379/0", prefix).reset())
    assert [run.returncode for run in runs] == [0, 0]
    granted = [json.loads(out) for out in outputs]
    bulk = granted[0]["bulk"] + granted[1]["bulk"]
    assert granted[0]["bulk"] and granted[1]["bulk"], "both processes sent"
    print(f"{len(bulk)} bulk slots in {SECONDS} s; busiest second {busiest(bulk)}")
    # limits stamps a hit with the client's clock before its Lua script runs; a process the OS pauses between
    # the two lands its entry after a later-stamped one, so one more can share a window in stamp order (seen
    # once, as 11, on a machine at load 4 on 2 cores). More than that is the limit not being shared.
    assert busiest(bulk) <= BULK + OUT_OF_ORDER
    assert busiest(granted[0]["total"] + granted[1]["total"]) <= TOTAL + OUT_OF_ORDER
    # and the limit is used, not just kept: at least the rate for the run's length
    assert len(bulk) >= BULK * (SECONDS - 1)
