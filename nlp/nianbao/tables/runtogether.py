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

from .tokens import Tok

MAX_SPLITS = 20000
MAX_PART_DIGITS = 13


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
    digits = raw.rstrip("元万亿件个项条").replace(" ", "")
    try:
        return float(digits)
    except ValueError:
        return None


def _compositions(s: str, k: int) -> Iterator[list[str]]:
    """Ways to cut digit string ``s`` into ``k`` numbers without leading zeros."""
    if k == 1:
        if (len(s) == 1 or s[0] != "0") and len(s) <= MAX_PART_DIGITS:
            yield [s]
        return
    first_max = 1 if s[0] == "0" else min(MAX_PART_DIGITS, len(s) - k + 1)
    for i in range(1, first_max + 1):
        for rest in _compositions(s[i:], k - 1):
            yield [s[:i], *rest]


def _parts(tok: Tok, k: int) -> Iterator[list[str]]:
    """Texts of ``k`` pieces of one numeric token (sign on the first, decimals/unit on the last)."""
    raw = tok.text
    body = raw.rstrip("元万亿件个项条")
    unit = raw[len(body):]
    sign = ""
    if body[:1] in "+-":
        sign, body = body[0], body[1:]
    intpart, dot, frac = body.partition(".")
    if not intpart:
        return
    tail = (dot + frac if dot else "") + unit
    for parts in _compositions(intpart, k):
        parts = list(parts)
        parts[0] = sign + parts[0]
        parts[-1] = parts[-1] + tail
        yield parts


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

    With ``identity``, only the splits that satisfy most identities are built (the cheap
    integer test runs before any Piece is made).
    """
    n = len(values)
    cap = [len(t.text.lstrip("+-").partition(".")[0].rstrip("元万亿件个项条"))
           if t.kind == "num" and " " not in t.text and not t.whole_cell else 1 for t in values]
    suffix = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i] = suffix[i + 1] + cap[i]
    raw_out: list[list[list[str]]] = []

    def rec(i: int, left: int, acc: list[list[str]]) -> None:
        if len(raw_out) >= MAX_SPLITS:
            return
        if i == n:
            if left == 0:
                raw_out.append(list(acc))
            return
        if left < n - i or left > suffix[i]:
            return
        tok = values[i]
        if tok.kind != "num":
            acc.append([tok.text])
            rec(i + 1, left - 1, acc)
            acc.pop()
            return
        for k in range(1, min(cap[i], left - (n - i - 1)) + 1):
            for texts in _parts(tok, k):
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
