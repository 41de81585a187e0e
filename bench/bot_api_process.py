"""The Bot API stand-in (tests/fake_bot_api.py) in a process of its own, for the fan-out benchmark.

Its own process, so that the stand-in's work (the spec check of every call, the 429 bookkeeping) does not
take CPU time from the sender being measured. The benchmark talks to it over stdin/stdout, one JSON line
each way: `{"users": [ids]}` (people who pressed Start), `{"stats": "<mark>"}` (what it received), `{"start": {"global_rate": r, "chat_limit": b}}` (a fresh stand-in), `{}` to end.
Call times are `time.monotonic()`, which is the same clock in every process of the machine (Linux)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _stats(api, mark: str) -> dict:
    """What arrived: accepted new messages (times), 429s (times), other refusals, and the marked texts."""
    from tests.fake_bot_api import NEW_MESSAGE_METHODS

    with api._lock:
        calls = list(api.calls)
    sent = [c.time for c in calls if c.method in NEW_MESSAGE_METHODS and c.ok]
    refused: dict[str, int] = {}
    for c in calls:
        if not c.ok and c.status != 429:
            key = f"{c.status} {c.description}"
            refused[key] = refused.get(key, 0) + 1
    marked = {c.text: c.time for c in calls if c.ok and c.text and c.text.startswith(mark)}
    return {"sent": sent, "throttled": [c.time for c in calls if c.status == 429], "refused": refused,
            "marked": marked, "chats": len({c.chat_id for c in calls if c.method in NEW_MESSAGE_METHODS and c.ok})}


def _start(global_rate: float, chat_limit: bool):
    from tests.fake_bot_api import FakeBotApi

    # Telegram's own per-chat rule (1/s, bursts of 3) unless the run gives each person one message only.
    api = FakeBotApi(global_per_second=global_rate, per_chat_per_second=1.0 if chat_limit else 1e9,
                     burst=3 if chat_limit else 10**9)
    return api.start_in_thread()


def serve() -> None:
    """One stand-in at a time, each started afresh by `{"start": {...}}` (the process starts once: its
    imports and the spec take seconds)."""
    api = None
    # The collector runs between runs, not during one: the stand-in records every call, and as those
    # piled up its full collections paused it for up to 0.7 s each (13 of them, 4.5 s in all, in one
    # 100,000-message run) — a server that stops answering, which Telegram does not do, charged to the
    # sender being measured. Most of its garbage goes by reference counting anyway.
    gc.disable()
    for line in sys.stdin:
        request = json.loads(line)
        if "start" in request:
            if api is not None:
                api.stop()
                api = None
            gc.collect()
            api = _start(request["start"]["global_rate"], request["start"]["chat_limit"])
            answer: dict = {"port": api.port}
        elif "users" in request:
            for user in request["users"]:
                api.add_user(user, f"P{user}")
            with api._lock:  # as if each had pressed Start: the stand-in accepts messages to them
                api._started.update(request["users"])
            answer = {"users": len(request["users"])}
        elif "stats" in request:
            answer = _stats(api, request["stats"])
        else:
            break
        print(json.dumps(answer), flush=True)
    if api is not None:
        api.stop()


class StandIn:
    """The parent's handle on the stand-in process: `with StandIn() as s: s.start(30, True) ...`."""

    def __init__(self):
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> StandIn:
        self.process = subprocess.Popen([sys.executable, "-m", "bench.bot_api_process"], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return self

    def start(self, global_rate: float, chat_limit: bool) -> None:
        """A fresh stand-in (no calls, no users) with this global limit."""
        self.port = self.ask({"start": {"global_rate": global_rate, "chat_limit": chat_limit}})["port"]

    def ask(self, request: dict) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the Bot API stand-in ended (exit {self.process.poll()})")
        return json.loads(line)

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        try:
            self.process.stdin.write("{}\n")
            self.process.stdin.close()
            self.process.wait(15)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(5)


def main() -> int:
    started = time.monotonic()
    serve()
    print(f"stand-in served for {time.monotonic() - started:.1f} s, {time.process_time():.1f} s CPU", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
