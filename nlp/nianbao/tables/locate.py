"""Find each statistics table in the normalised text by weighted anchors and digit density.

A window is scored by the distinct anchors it contains (not the first keyword hit), so a
prose mention of 予以公开 in section 一 does not pull Table 3 there. Windows are then cut so
that Table 2 ends where Table 3 starts and Table 3 ends where Table 4 starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .spec import TableSpec

_DIGIT = re.compile(r"\d")
# a top-level section heading (五、存在的主要问题…) closes Table 4
_NEXT_SECTION = re.compile(r"(^|\n|\s|\d)[五六七八][、.]\s*\S")


@dataclass
class Window:
    start: int
    end: int
    score: float


def locate(text: str, spec: TableSpec, lo: int = 0, hi: int | None = None) -> Window | None:
    """Best-scoring window for ``spec`` inside ``text[lo:hi]``."""
    hi = len(text) if hi is None else hi
    hits: list[tuple[int, int, int]] = []
    for idx, (pat, weight) in enumerate(spec.anchors):
        for m in pat.finditer(text, lo, hi):
            hits.append((m.start(), idx, weight))
    if not hits:
        return None
    hits.sort()
    best: Window | None = None
    for i, (pos, _idx, weight) in enumerate(hits):
        if weight < spec.start_min_weight:
            continue
        end = min(pos + spec.span, hi)
        seen: dict[int, int] = {}
        for p, idx, w in hits[i:]:
            if p >= end:
                break
            seen[idx] = w
        chunk = text[pos:end]
        density = len(_DIGIT.findall(chunk)) / max(1, len(chunk))
        score = sum(seen.values()) + 10 * density
        if best is None or score > best.score + 1e-9:
            best = Window(pos, end, score)
    return best


def min_score(spec: TableSpec) -> float:
    """A window must show at least this much anchor weight to count as the table."""
    return max(4.0, 0.3 * sum(w for _p, w in spec.anchors))


def table4_end(text: str, start: int, end: int) -> int:
    m = _NEXT_SECTION.search(text, start + 20, end)
    return m.start() + 1 if m else end
