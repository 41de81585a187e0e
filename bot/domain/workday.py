"""A person's day: how they work today, and whether a report is expected of them."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    WFO = "wfo"  # in the office
    WFH = "wfh"  # at home
    PIKET = "piket"  # on the office duty roster
    LEAVE = "cuti"
    SICK = "sakit"
    FIELD = "dl"  # dinas luar: field duty
    HOLIDAY = "libur"


EXCUSED = frozenset({Mode.LEAVE, Mode.SICK, Mode.FIELD, Mode.HOLIDAY})

# Without a roster entry a person works in the office: that is the ordinary state of an office.
DEFAULT_MODE = Mode.WFO


def expected_to_report(mode: Mode) -> bool:
    return mode not in EXCUSED


class LeaveKind(StrEnum):
    """What a person may ask their superior for from the briefing's button."""

    LEAVE = "cuti"
    SICK = "sakit"
    FIELD = "dl"
    OUTING = "izin"  # izin keluar rumah: a short absence from home (food, health)


LEAVE_MODE = {LeaveKind.LEAVE: Mode.LEAVE, LeaveKind.SICK: Mode.SICK, LeaveKind.FIELD: Mode.FIELD}
