"""Find each statistics table in the normalised text by weighted anchors and digit density.

A window is scored by the distinct anchors it contains (not the first keyword hit), so a
prose mention of 予以公开 in section 一 does not pull Table 3 there. Windows are then cut so
that Table 2 ends where Table 3 starts and Table 3 ends where Table 4 starts.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from nianbao.stages.tables.spec import TableSpec

_DIGIT = re.compile(r"\d")
# a top-level section heading (五、存在的主要问题…) closes Table 4
_NEXT_SECTION = re.compile(r"(^|\n|\s|\d)[五六七八][、.]\s*\S")


@dataclass
class Window:
    start: int
    end: int
    score: float


def locate(text: str, spec: TableSpec, lo: int = 0, hi: int | None = None) -> Window | None:
    """Best-scoring window for ``spec`` inside ``text[lo:hi]``.

    Every anchor hit may start a window ``[pos, pos + span)``; its score is the weight of the
    distinct anchors hit from that hit on plus the window's digit density. Windows only move
    right, so the anchors in the window and its digit count are kept by two pointers and
    sorted digit positions instead of being recounted per start.
    """
    hi = len(text) if hi is None else hi
    hits: list[tuple[int, int, int]] = []
    for idx, (pat, weight) in enumerate(spec.anchors):
        for m in pat.finditer(text, lo, hi):
            hits.append((m.start(), idx, weight))
    if not hits:
        return None
    hits.sort()
    digits = [m.start() for m in _DIGIT.finditer(text, lo, hi)]
    best: Window | None = None
    count = [0] * len(spec.anchors)  # hits of each anchor in hits[i:j]
    weights = 0  # summed weight of the distinct anchors in hits[i:j]
    j = 0
    for i, (pos, _idx, weight) in enumerate(hits):
        if i > 0:  # hit i - 1 leaves the window
            _p, old, w_old = hits[i - 1]
            if j > i - 1:
                count[old] -= 1
                if count[old] == 0:
                    weights -= w_old
            else:
                j = i
        end = min(pos + spec.span, hi)
        j = max(j, i)
        while j < len(hits) and hits[j][0] < end:
            _p, new, w_new = hits[j]
            if count[new] == 0:
                weights += w_new
            count[new] += 1
            j += 1
        if weight < spec.start_min_weight:
            continue
        length = max(0, min(end, len(text)) - pos)  # len(text[pos:end])
        n_digits = max(0, bisect_left(digits, end) - bisect_left(digits, pos))
        density = n_digits / max(1, length)
        score = weights + 10 * density
        if best is None or score > best.score + 1e-9:
            best = Window(pos, end, score)
    return best


def min_score(spec: TableSpec) -> float:
    """A window must show at least this much anchor weight to count as the table."""
    return max(4.0, 0.3 * sum(w for _p, w in spec.anchors))


def table4_end(text: str, start: int, end: int) -> int:
    m = _NEXT_SECTION.search(text, start + 20, end)
    return m.start() + 1 if m else end
