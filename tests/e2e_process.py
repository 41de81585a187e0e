"""Running the real `apel` command as separate processes, for end-to-end tests.

The processes get a clean environment: the test's settings only (no `.env` is read, since they run in
the test's temporary directory, and no Apel setting leaks in from the developer's shell)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings

# Every key of bot/settings.py: none may come from the shell that runs the tests.
APEL_KEYS = tuple(name.upper() for name in Settings.model_fields)


def apel_command() -> list[str]:
    """The installed console script next to the running interpreter, else the same entry point."""
    script = Path(sys.executable).with_name("apel")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "from bot.cli.app import main; main()"]


def process_env(settings: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in APEL_KEYS}
    env.update(settings)
    env["PYTHONUNBUFFERED"] = "1"  # the log reaches the captured file as it is written
    return env


def run_apel(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """One `apel …` command to completion; fails the test with its output when it exits non-zero."""
    done = subprocess.run([*apel_command(), *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"apel {' '.join(args)} exited {done.returncode}\n"
                             f"--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}")
    return done


class ApelProcess:
    """A long-running `apel …` (e.g. `run`) with its output in a file; stopped by stop() or `with`."""

    def __init__(self, *args: str, env: dict[str, str], cwd: Path, log_path: Path):
        self.args, self.env, self.cwd, self.log_path = args, env, cwd, log_path
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self) -> ApelProcess:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([*apel_command(), *self.args], env=self.env, cwd=self.cwd,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 15) -> int | None:
        """SIGTERM (aiogram stops polling cleanly), then SIGKILL if it does not end in time."""
        if self.process is None:
            return None
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(10)
            return self.process.returncode
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None

    def output(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self) -> ApelProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

