"""Cells whose separators were lost ("规范性文件7777166" = 77 | 77 | 166).

A run of digits is split into the known number of cells of its row; the identities of the
table (row totals, group totals) filter the splits, and soft priors from the catalogue only
rank what is left. When several splits remain, all are kept as candidates.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nianbao.stages.tables.tokens import Tok

MAX_SPLITS = 20000
MAX_PART_DIGITS = 13
_UNITS = "元万亿件个项条"


@dataclass(frozen=True)
class Piece:
    """One cell of a candidate row: raw text plus its offsets in ``Document.text``."""

    kind: str  # num | blank | dash
    raw: str
    start: int
    end: int

    @property
    def number(self) -> float | None:
        if self.kind != "num":
            return None
        return number(self.raw)


def number(raw: str) -> float | None:
    """Value of a cell's raw text; "1 2" (a number split over two PDF cells, rejoined) reads 12."""
    digits = raw.rstrip(_UNITS).replace(" ", "")
    try:
        return float(digits)
    except ValueError:
        return None


def _counts(s: str) -> tuple[frozenset[int], ...]:
    """``out[j]``: the numbers of parts the suffix ``s[j:]`` can be cut into (no leading zeros, at
    most MAX_PART_DIGITS digits each), so the enumeration never enters a branch that cannot finish."""
    n = len(s)
    out: list[frozenset[int]] = [frozenset()] * (n + 1)
    out[n] = frozenset((0,))
    for j in range(n - 1, -1, -1):
        top = 1 if s[j] == "0" else min(MAX_PART_DIGITS, n - j)
        out[j] = frozenset(c + 1 for length in range(1, top + 1) for c in out[j + length])
    return tuple(out)


def _compositions(s: str, k: int) -> Iterator[list[str]]:
    """Ways to cut digit string ``s`` into ``k`` numbers without leading zeros (first cut shortest first)."""
    reach = _counts(s)
    if k not in reach[0]:
        return
    n = len(s)
    cuts = [0] * (k + 1)
    cuts[k] = n

    def rec(part: int, j: int) -> Iterator[list[str]]:
        if part == k - 1:
            cuts[part] = j
            yield [s[cuts[m]:cuts[m + 1]] for m in range(k)]
            return
        cuts[part] = j
        top = 1 if s[j] == "0" else min(MAX_PART_DIGITS, n - j)
        for length in range(1, top + 1):
            if k - part - 1 in reach[j + length]:
                yield from rec(part + 1, j + length)

    yield from rec(0, 0)


def _parts(tok: Tok, k: int) -> Iterator[list[str]]:
    """Texts of ``k`` pieces of one numeric token (sign on the first, decimals/unit on the last)."""
    sign, intpart, tail = _anatomy(tok.text)
    if not intpart:
        return
    for parts in _compositions(intpart, k):
        parts[0] = sign + parts[0]
        parts[-1] = parts[-1] + tail
        yield parts


def _anatomy(raw: str) -> tuple[str, str, str]:
    """(sign, integer digits, decimals + unit) of a numeric token's text."""
    body = raw.rstrip(_UNITS)
    unit = raw[len(body):]
    sign = ""
    if body[:1] in "+-":
        sign, body = body[0], body[1:]
    intpart, dot, frac = body.partition(".")
    return sign, intpart, (dot + frac if dot else "") + unit


def _piece_counts(tok: Tok, cap: int) -> frozenset[int]:
    """Numbers of cells token ``tok`` can be read as (1..``cap``, only those with a valid cut)."""
    if tok.kind != "num":
        return frozenset((1,))
    _sign, intpart, _tail = _anatomy(tok.text)
    if not intpart:
        return frozenset()
    return frozenset(k for k in _counts(intpart)[0] if k <= cap)


def _pieces(tok: Tok, texts: list[str]) -> list[Piece]:
    if tok.end - tok.start != len(tok.text):
        return [Piece("num", t, tok.start, tok.end) for t in texts]
    out, offs = [], 0
    for t in texts:
        out.append(Piece("num", t, tok.start + offs, tok.start + offs + len(t)))
        offs += len(t)
    return out


def splits(values: list[Tok], width: int, identity: tuple[tuple[tuple[int, ...], int], ...] = ()
           ) -> list[list[Piece]]:
    """All ways to read ``values`` as exactly ``width`` cells (numbers may hold several cells).

    The enumeration only enters branches that can end with exactly ``width`` cells (the
    achievable cell counts of every suffix of ``values`` are known beforehand), so its cost
    follows the number of splits, not the number of ways to cut each digit run. At most
    MAX_SPLITS splits are read, in enumeration order. With ``identity``, only the splits that
    satisfy most identities are built (the cheap integer test runs before any Piece is made).
    """
    n = len(values)
    cap = [len(t.text.lstrip("+-").partition(".")[0].rstrip(_UNITS))
           if t.kind == "num" and " " not in t.text and not t.whole_cell else 1 for t in values]
    ks = [sorted(_piece_counts(t, c)) for t, c in zip(values, cap, strict=True)]
    reach: list[set[int]] = [set() for _ in range(n + 1)]  # reach[i]: cell counts values[i:] can make
    reach[n] = {0}
    for i in range(n - 1, -1, -1):
        reach[i] = {k + r for k in ks[i] for r in reach[i + 1] if k + r <= width}
    raw_out: list[list[list[str]]] = []
    if width not in reach[0]:
        return []

    def rec(i: int, left: int, acc: list[list[str]]) -> None:
        if i == n:
            raw_out.append(list(acc))
            return
        tok = values[i]
        if tok.kind != "num":
            acc.append([tok.text])
            rec(i + 1, left - 1, acc)
            acc.pop()
            return
        for k in ks[i]:
            if left - k not in reach[i + 1]:
                continue
            for texts in _parts(tok, k):
                if len(raw_out) >= MAX_SPLITS:
                    return
                acc.append(texts)
                rec(i + 1, left - k, acc)
                acc.pop()

    rec(0, width, [])
    if identity and raw_out:
        def hits(groups: list[list[str]]) -> int:
            flat = [number(t) or 0.0 for g in groups for t in g]
            return sum(1 for parts, total in identity if abs(sum(flat[j] for j in parts) - flat[total]) < 1e-6)

        scored = [hits(g) for g in raw_out]
        top = max(scored)
        raw_out = [g for g, h in zip(raw_out, scored, strict=True) if h == top]
    out = []
    for groups in raw_out:
        vec: list[Piece] = []
        for tok, texts in zip(values, groups, strict=True):
            vec.extend(_pieces(tok, texts) if tok.kind == "num" else [Piece(tok.kind, tok.text, tok.start, tok.end)])
        out.append(vec)
    return out


def identity_hits(vec: list[Piece], identity: tuple[tuple[tuple[int, ...], int], ...]) -> int:
    """How many identities hold (blanks count as 0 here; only for ranking)."""
    nums = [p.number or 0.0 for p in vec]
    return sum(1 for parts, total in identity if abs(sum(nums[i] for i in parts) - nums[total]) < 1e-6)


def prior_penalty(vec: list[Piece], cols: tuple[str, ...], priors: tuple[tuple[Any, ...], ...]) -> float:
    """Soft preferences (catalogue ``priors``) plus a mild preference for similar cell lengths."""
    val = {c: (p.number if p.number is not None else 0.0) for c, p in zip(cols, vec, strict=False)}
    pen = 0.0
    for prior in priors:
        kind, *args = prior
        try:
            if kind == "equal":
                pen += 2.0 * (val[args[0]] != val[args[1]])
            elif kind == "ge":
                pen += 3.0 * (abs(val[args[0]]) < abs(val[args[1]]))
            elif kind == "small":
                pen += len(str(int(abs(val[args[0]]))))
            elif kind == "log_ratio":
                num, den, centre = val[args[0]], val[args[1]], float(args[2])
                pen += 2.0 * abs(math.log10(num / den) - centre) if num > 0 and den > 0 else 6.0
        except KeyError:
            continue
    lengths = [len(p.raw.lstrip("+-").partition(".")[0].rstrip("元万亿件个项条")) for p in vec if p.kind == "num"]
    if lengths:
        mean = sum(lengths) / len(lengths)
        pen += 0.3 * sum((x - mean) ** 2 for x in lengths) / len(lengths)
    return pen
