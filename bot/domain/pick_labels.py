"""People's names as button labels that tell them apart.

Buttons are short (Telegram shows about 30 characters; a WhatsApp list row takes 24), and an office has
namesakes (two Siti Aminah) and long titled names that agree on their first 30 characters ("Drs. H.
Ahmad Fauzi Rahman Hakim, M.Si." and "… Hakim, M.Pd."). Clipped alike, a supervisor ticking one of them
for a task could not tell which. Such labels keep the name's end ("Drs. H. Ahmad Fau…im, M.Pd."), and
namesakes, or names still alike, get the last four digits of their NIP, which the person knows as theirs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.domain.html import clip

NIP_TAIL = 4


def pick_labels(people: Sequence[tuple[str, str]], limit: int) -> list[str]:
    """Labels of at most `limit` characters for (name, nip) pairs, distinct where the people are."""
    labels = [clip(name, limit) for name, _ in people]
    alike = _alike(labels, people)
    labels = [_keep_end(name, limit) if i in alike else label
              for i, (label, (name, _)) in enumerate(zip(labels, people))]
    alike = _alike(labels, people)
    return [_with_nip(name, nip, limit) if i in alike else label
            for i, (label, (name, nip)) in enumerate(zip(labels, people))]


def _alike(labels: list[str], people: Sequence[tuple[str, str]]) -> set[int]:
    """Positions of labels shared by different people (a person listed twice is not alike to themself)."""
    owners: dict[str, set[str]] = {}
    for label, (_, nip) in zip(labels, people):
        owners.setdefault(label, set()).add(nip)
    counts = Counter(labels)
    return {i for i, label in enumerate(labels) if counts[label] > 1 and len(owners[label]) > 1}


def _keep_end(name: str, limit: int) -> str:
    if len(name) <= limit:
        return name
    tail = limit // 3
    return name[:limit - tail - 1] + "…" + name[-tail:]


def _with_nip(name: str, nip: str, limit: int) -> str:
    suffix = f" ·{nip[-NIP_TAIL:]}"
    return clip(name, limit - len(suffix)) + suffix
