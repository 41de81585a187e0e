"""The Bot API stand-in (tests/fake_bot_api.py) in a process of its own, for the fan-out benchmark.

Its own process, so that the stand-in's work (the spec check of every call, the 429 bookkeeping) does not
take CPU time from the sender being measured. The benchmark talks to it over stdin/stdout, one JSON line
each way: `{"users": [ids]}` (people who pressed Start), `{"stats": "<mark>"}` (what it received), `{}` to end.
Call times are `time.monotonic()`, which is the same clock in every process of the machine (Linux)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
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


def serve(global_rate: float, chat_limit: bool) -> None:
    from tests.fake_bot_api import FakeBotApi

    # Telegram's own per-chat rule (1/s, bursts of 3) unless the run gives each person one message only.
    api = FakeBotApi(global_per_second=global_rate, per_chat_per_second=1.0 if chat_limit else 1e9,
                     burst=3 if chat_limit else 10**9)
    api.start_in_thread()
    print(json.dumps({"port": api.port}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "users" in request:
            for user in request["users"]:
                api.add_user(user, f"P{user}")
            with api._lock:  # as if each had pressed Start: the stand-in accepts messages to them
                api._started.update(request["users"])
            answer: dict = {"users": len(request["users"])}
        elif "stats" in request:
            answer = _stats(api, request["stats"])
        else:
            break
        print(json.dumps(answer), flush=True)
    api.stop()


@dataclass
class StandIn:
    """The parent's handle on the stand-in process."""

    global_rate: float
    chat_limit: bool = True
    port: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> StandIn:
        command = [sys.executable, "-m", "bench.bot_api_process", "--global-rate", str(self.global_rate)]
        if not self.chat_limit:
            command.append("--no-chat-limit")
        self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = self._read()["port"]
        return self

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the Bot API stand-in ended (exit {self.process.poll()})")
        return json.loads(line)

    def ask(self, request: dict) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bot_api_process")
    parser.add_argument("--global-rate", type=float, default=30.0)
    parser.add_argument("--no-chat-limit", action="store_true")
    args = parser.parse_args(argv)
    started = time.monotonic()
    serve(args.global_rate, not args.no_chat_limit)
    print(f"stand-in served for {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
