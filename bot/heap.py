"""The long-running processes' heap: what start-up made is set aside from the garbage collector.

A process of Apel holds a few hundred thousand objects once it has started (modules, aiogram's and
SQLAlchemy's classes, pydantic schemas, the settings). CPython's full collection walks all of them, and at
the sender's pace it runs every two or three seconds: a pause of about 0.2 s each time, during which no
message leaves (about a twentieth of a paid broadcast's time, BENCHMARKS "Outbox fan-out"). `gc.freeze()`
moves them into a generation the collector never visits; what the process makes afterwards is collected
as before. Start-up objects that become garbage later are never freed, which is why this runs once, when
setting up is over."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    gc.collect()
    gc.freeze()
