"""BENCHMARKS.md: the machine a run happened on, and one replaceable section per benchmark."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

INTRO = """# Benchmarks

Run them with `make bench` (the same as `.venv/bin/python -m bench`); `python -m bench --quick` runs the
small smoke sizes. Each section below is rewritten by its own benchmark and says the machine, the date
and the command. Machines are noisy, so a speed target is a ratio: both sizes are measured side by side
in the same run, on the same machine, and only their ratio is judged against the goal. Absolute
seconds are for orientation only.
"""


def _first_line_value(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                name, _, value = line.partition(":")
                if name.strip() == key:
                    return value.strip()
    except OSError:
        return None
    return None


def machine() -> str:
    """One line: CPU model, cores, RAM, Python, OS. Read from /proc where there is one (Linux)."""
    cpu = _first_line_value("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem_kb = _first_line_value("/proc/meminfo", "MemTotal")
    ram = f"{int(mem_kb.split()[0]) / 2**20:.1f} GiB RAM" if mem_kb else "RAM unknown"
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{cpu}, {cores} cores, {ram}, {python}, {platform.system()} {platform.release()}"


def header(command: str, *extra: str) -> str:
    """The lines every section starts with; `extra` adds facts of this benchmark (engine versions…)."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"- Machine: {machine()}", f"- Date: {now}", f"- Command: `{command}`", *(f"- {e}" for e in extra)]
    return "\n".join(lines)


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def write_section(path: Path, name: str, body: str) -> None:
    """Put `body` between this benchmark's markers, leaving the intro and other sections as they are."""
    start, end = markers(name)
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else INTRO
    head, found, rest = text.partition(start)
    if found and end in rest:
        text = head + block + rest.partition(end)[2]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
