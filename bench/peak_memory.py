"""A benchmark child process's own peak memory."""

from __future__ import annotations

import resource


def peak_rss_mb() -> float:
    """This process's resident high-water mark. On Linux, VmHWM of /proc/self/status: getrusage's ru_maxrss
    also keeps the high-water mark of the memory image the process had before its execve, that is of the
    benchmark process that spawned it, and would report the parent's size (hundreds of MB after a big office)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux and BSD report KiB
