"""The end-of-day report and the moves it may make."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

MAX_SUMMARY = 2000


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


ALLOWED = {
    ReportStatus.DRAFT: {ReportStatus.SUBMITTED},
    ReportStatus.SUBMITTED: {ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED},
    ReportStatus.RETURNED: {ReportStatus.SUBMITTED},
    ReportStatus.APPROVED: set(),
}


def can_move(current: ReportStatus | None, target: ReportStatus) -> bool:
    return target in ALLOWED[current or ReportStatus.DRAFT]


def may_edit(status: ReportStatus | None, now: dt.datetime, deadline: dt.datetime) -> bool:
    """Until the deadline a report can be edited and resubmitted; after it, only a first (late)
    submission or one the superior returned."""
    if status in (None, ReportStatus.DRAFT, ReportStatus.RETURNED):
        return True
    return status is ReportStatus.SUBMITTED and now < deadline


def is_late(submitted_at: dt.datetime, deadline: dt.datetime) -> bool:
    return submitted_at >= deadline
