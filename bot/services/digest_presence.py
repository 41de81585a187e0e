"""What the digest shows of presence: a line per person once the day's presence is computed (WFH:
share of working hours proven at home, first–last fix, gaps, stopped early; WFO: the check-in), and
every flag of the day in its owner's wording (`flag.<kind>`), excused ones marked with the permission.

Detail conventions (shared by every flag kind): keys ending in `_day` hold ISO dates (shown as dates),
keys ending in `_at` ISO UTC datetimes (shown as clock times in the digest's zone), `km` a distance (shown
with the reader's decimal mark, "5,6" in Indonesian); other values are shown as they are, escaped."""

from __future__ import annotations

import contextlib
import datetime as dt

from bot.clock import iso_utc
from bot.domain.flags import FlagRecord
from bot.domain.html import esc
from bot.texts import catalog, format_clock, format_date, format_km


def _clock(moment: dt.datetime, timezone: str) -> str:
    return format_clock(moment, timezone).split()[0]  # "07.41": the zone is in the digest's other times


def _value(key: str, value, timezone: str, lang: str) -> str:
    try:
        if key.endswith("_day"):
            return format_date(dt.date.fromisoformat(str(value)), lang)
        if key.endswith("_at"):
            return format_clock(dt.datetime.fromisoformat(str(value)), timezone)
        if key == "km":
            return format_km(float(value), lang)
    except ValueError:
        pass
    return esc(value)


def flag_text(flag: FlagRecord, *, timezone: str, t) -> str:
    key = f"flag.{flag.kind.value}"
    if flag.kind.value == "reused_evidence" and flag.detail.get("same_person") is False:
        key = "flag.reused_evidence_other"  # like another person's evidence: not "reused" by this one
    if key not in catalog(t.lang):
        return t("presence_digest.flag_unknown", kind=esc(flag.kind.value))
    values = {k: _value(k, v, timezone, t.lang) for k, v in flag.detail.items()}
    if "from_at" in values and "until_at" in values:  # a range names its zone once: "10.59–11.39 WITA"
        with contextlib.suppress(ValueError):
            values["from_at"] = _clock(dt.datetime.fromisoformat(str(flag.detail["from_at"])), timezone)
    return t(key, **values)


def flag_line(flag: FlagRecord, *, timezone: str, t) -> str:
    text = flag_text(flag, timezone=timezone, t=t)
    if not flag.excused:
        return t("presence_digest.flag", text=text)
    permit = flag.detail.get("permit_from_at"), flag.detail.get("permit_until_at")
    if all(permit):
        return t("presence_digest.flag_excused_permit", text=text,
                 from_time=_clock(dt.datetime.fromisoformat(str(permit[0])), timezone),
                 until_time=_value("permit_until_at", permit[1], timezone, t.lang))
    return t("presence_digest.flag_excused", text=text)


def presence_line(line, *, timezone: str, t) -> str | None:
    summary = line.presence
    if summary is None:
        return None  # not computed yet (it is, after the unit's deadline)
    if summary.mode == "wfh":
        if summary.coverage_pct is None:
            return t("presence_digest.wfh_no_home", fixes=summary.fixes)
        if not summary.fixes:
            return t("presence_digest.wfh_none")
        text = t("presence_digest.wfh", pct=f"{summary.coverage_pct:.0f}", gaps=len(summary.gaps),
                 first=_clock(summary.first_fix_at, timezone), last=_clock(summary.last_fix_at, timezone))
        stop = next((f.detail.get("stopped_at") for f in line.flags if f.kind.value == "sharing_stopped"), None)
        if summary.stopped_early and stop:
            text += t("presence_digest.stopped", time=_value("stopped_at", stop, timezone, t.lang))
        return text
    if summary.checkin_at is not None:
        return t("presence_digest.checkin", time=format_clock(summary.checkin_at, timezone))
    # No check-in: where the unit has an office geofence the `no_checkin` flag says so; without one nobody
    # can check in, and "not checked in" under every WFO person would only hide what matters.
    return None


def extra_lines(line, *, timezone: str, t) -> list[str]:
    """The lines under a person's digest line."""
    found = presence_line(line, timezone=timezone, t=t)
    out = [found] if found else []
    out += [t("presence_digest.permission", start=_clock(start, timezone), end=_clock(end, timezone))
            for start, end in getattr(line, "permissions", ())]
    return out + [flag_line(f, timezone=timezone, t=t) for f in line.flags]


def short_labels(line, t) -> tuple[str, ...]:
    """The picture's warnings: the flags not excused, each kind once."""
    kinds = dict.fromkeys(f.kind.value for f in line.flags if not f.excused)
    return tuple(t(f"flag_short.{k}") for k in kinds)


def _iso(moment: dt.datetime | None) -> str | None:
    return iso_utc(moment) if moment else None


def presence_record(line) -> dict | None:
    s = line.presence
    if s is None:
        return None
    return {"mode": s.mode, "coverage_pct": s.coverage_pct, "covered_minutes": s.covered_minutes,
            "expected_minutes": s.expected_minutes, "first_fix_at": _iso(s.first_fix_at),
            "last_fix_at": _iso(s.last_fix_at), "fixes": s.fixes, "gaps": s.gaps,
            "stopped_early": s.stopped_early, "checkin_at": _iso(s.checkin_at)}


def flags_record(line) -> list[dict]:
    return [{"kind": f.kind.value, "ref": f.ref, "excused": f.excused, "detail": f.detail} for f in line.flags]
