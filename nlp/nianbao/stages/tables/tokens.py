"""Turn any table layout into one stream of label / number / blank tokens.

Every layout (one cell per line with ``|`` placeholders, pipe rows, TSV with leading empty
cells, markdown rows, crawler text with cells run together, HTML/PDF/DOCX grids) ends up as
the same kind of stream, so one row parser serves them all. Tokens carry offsets into
``Document.text`` so that every value can be cited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from nianbao.lang.cjk import HAN
from nianbao.resources import load_yaml
from nianbao.schema import Grid
from nianbao.stages.context import Context

_NUM = re.compile(r"[+-]?\d+(?:\.\d+)?")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_PURE_PIPES = re.compile(r"^\s*\|+\s*$")
_CJK_CH = re.compile(f"[{HAN}(\"“]")


@dataclass
class Tok:
    """One cell-level unit of a table.

    kind: ``label`` (text), ``num`` (a number, possibly several run-together cells),
    ``blank`` (an empty cell) or ``dash`` (``/``, ``—``: printed but not a number).
    """

    kind: str
    text: str
    start: int
    end: int
    line: int
    whole_cell: bool = False  # the only thing in a delimited cell: a number never split into several cells

    @property
    def is_value(self) -> bool:
        return self.kind in ("num", "dash")


@lru_cache(maxsize=1)
def _conf() -> tuple[str, frozenset[str], tuple[str, ...]]:
    data = load_yaml("tables.yaml")
    units = tuple(sorted(data["value_units"], key=len, reverse=True))
    return data["counters"], frozenset(data["dashes"]), units


def split_cell(ctx: Context | None, text: str, base: int, line: int, free: bool, orig: tuple[int, int] | None = None
               ) -> list[Tok]:
    """Tokens of one cell whose normalised text starts at normalised position ``base``.

    ``free`` cells (crawler text without separators) may hold numbers anywhere; delimited
    cells only split numbers off their end ("行政许可 97"), so a header such as
    "本年收费金额(单位:万元,保留4位小数)" stays one label. A number followed by ``.``/``、``
    and a CJK character ends in an enumerator ("00000002.其他法律…" = values + "2.").
    """
    def span(s: int, e: int) -> tuple[int, int]:
        if orig is not None:
            return orig
        if ctx is None:
            return base + s, base + e
        return ctx.norm.span(base + s, base + e)

    layout = _layout(text, free)
    if not layout:
        s, e = span(0, 0) if orig is None else orig
        return [Tok("blank", "", s, s if orig is None else e, line)]
    toks = [Tok(kind, piece, *span(s, e), line) for kind, piece, s, e in layout]
    if not free and len(toks) == 1 and toks[0].kind == "num":
        toks[0].whole_cell = True
    return toks


def _layout(text: str, free: bool) -> tuple[tuple[str, str, int, int], ...]:
    """(kind, text, start, end) of the tokens of one cell, in cell coordinates; () for an empty cell."""
    counters, dashes, units = _conf()
    stripped = text.strip()
    if not stripped:
        return ()
    if stripped in dashes:
        off = text.index(stripped)
        return (("dash", stripped, off, off + len(stripped)),)
    pieces: list[tuple[str, int, int]] = []  # (kind, start, end) in cell coordinates
    n = len(text)
    for m in _NUM.finditer(text):
        s, e = m.start(), m.end()
        after = text[e:e + 2]
        before = text[s - 1] if s > 0 else ""
        if m.group(0)[0] in "+-" and before and _CJK_CH.match(before):
            s += 1  # "本年增/减" style hyphen glued to a label is not a sign
        digits = text[s:e]
        if before == "第" or (after[:1] and after[:1] in counters):
            continue  # "第3项", "2024年", "保留4位" belong to the label
        if after[:1] in (".", "、") and len(after) == 2 and (_CJK_CH.match(after[1]) or after[1] == "("):
            if "." in digits:
                continue
            # enumerator: the last digit starts the next label, the rest (if any) are values
            if len(digits.lstrip("+-")) > 1:
                pieces.append(("num", s, e - 1))
            continue
        unit_end = e
        for u in units:
            if text.startswith(u, e):
                unit_end = e + len(u)
                break
        if not free:
            rest = text[unit_end:].strip()
            if rest and not _all_numbers(rest):
                continue  # number inside a delimited label cell
        pieces.append(("num", s, unit_end))
    out: list[tuple[str, str, int, int]] = []
    pos = 0
    for _kind, s, e in pieces:
        if s < pos:
            continue
        _label(text[pos:s], pos, out)
        out.append(("num", text[s:e], s, e))
        pos = e
    _label(text[pos:n], pos, out)
    return tuple(out)


_SPACES = re.compile(r"\s+")
_LABEL_CHAR = re.compile(r"[^\s|:,;.()\[\]]")


def _all_numbers(rest: str) -> bool:
    return all(_NUM.fullmatch(p) or p in ("元", "万元") for p in _SPACES.split(rest.strip()) if p)


def _label(chunk: str, off: int, out: list[tuple[str, str, int, int]]) -> None:
    """Append the label in ``chunk`` (cell offset ``off``), joined to a label just before it."""
    body = chunk.strip(" |\t")
    if not body or not _LABEL_CHAR.search(body):
        return
    lead = chunk.index(body[0])
    text = _SPACES.sub("", body)
    s, e = off + lead, off + lead + len(body)
    if out and out[-1][0] == "label":
        prev = out[-1]
        out[-1] = ("label", prev[1] + text, prev[2], e)
    else:
        out.append(("label", text, s, e))


def _cells(line: str) -> Iterator[tuple[int, int]]:
    """Cell spans of one normalised text line (pipes, tabs, markdown, or the whole line)."""
    if "\t" in line:
        pos = 0
        for part in line.split("\t"):
            yield pos, pos + len(part)
            pos += len(part) + 1
        return
    if "|" not in line:
        yield 0, len(line)
        return
    if _PURE_PIPES.match(line):
        k = line.count("|")
        start = line.index("|")
        for i in range(max(1, k - 1)):
            yield start + i, start + i
        return
    parts = line.split("|")
    pos = 0
    spans = []
    for part in parts:
        spans.append((pos, pos + len(part)))
        pos += len(part) + 1
    if line.lstrip().startswith("|"):
        spans = spans[1:]
    if line.rstrip().endswith("|"):
        spans = spans[:-1]
    yield from spans


def text_tokens(ctx: Context, start: int, end: int, line0: int = 0) -> list[Tok]:
    """Tokens of the normalised text ``[start, end)``, line by line."""
    text = ctx.norm.text
    span = ctx.norm.span
    toks: list[Tok] = []
    pos = start
    line_no = line0
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        for kind, piece, s, e, whole in _line_layout(text[pos:stop]):
            toks.append(Tok(kind, piece, *span(pos + s, pos + e), line_no, whole))
        line_no += 1
        pos = stop + 1
    return toks


def _line_layout(line: str) -> tuple[tuple[str, str, int, int, bool], ...]:
    """(kind, text, start, end, whole_cell) of the tokens of one text line, in line coordinates.

    An empty cell is a zero-width span at the cell's start, a markdown heading one label over the whole line.
    """
    out: list[tuple[str, str, int, int, bool]] = []
    if line.strip() and not _MD_RULE.match(line) and not line.lstrip().startswith("#"):
        free = not ("\t" in line or "|" in line)
        for s, e in _cells(line):
            layout = _layout(line[s:e], free)
            if not layout:
                out.append(("blank", "", s, s, False))
                continue
            whole = not free and len(layout) == 1 and layout[0][0] == "num"
            out.extend((kind, piece, s + a, s + b, whole) for kind, piece, a, b in layout)
    elif line.lstrip().startswith("#"):
        out.append(("label", line.strip("# "), 0, len(line), False))
    return tuple(out)


def grid_rows(ctx: Context, grid: Grid) -> list[tuple[int, int, list[Tok]]]:
    """(orig start, orig end, tokens) per grid row; merged copies are dropped.

    A copy of the left neighbour is a horizontal merge (one value over several grid
    columns); a vertically merged label is a group header already seen above.
    """
    out: list[tuple[int, int, list[Tok]]] = []
    for r, row in enumerate(grid.rows):
        toks: list[Tok] = []
        starts = [c.start for c in row if not c.spanned] or [c.start for c in row]
        ends = [c.end for c in row if not c.spanned] or [c.end for c in row]
        for c, cell in enumerate(row):
            if cell.spanned:
                left = row[c - 1] if c > 0 else None
                if left is not None and left.start == cell.start and left.end == cell.end:
                    continue
                if not _NUM.fullmatch(cell.text.strip()):
                    continue
            ns, ne = ctx.norm_pos(cell.start), ctx.norm_pos(cell.end)
            ntext = ctx.norm.text[ns:ne] if ne > ns else ""
            if cell.end <= cell.start:
                toks.append(Tok("blank", "", cell.start, cell.start, r))
                continue
            toks.extend(split_cell(ctx, ntext.replace("\n", ""), ns, r, free=False))
        out.append((min(starts), max(ends), toks))
    return out


def stream(ctx: Context, start: int, end: int) -> list[Tok]:
    """Tokens of the normalised span ``[start, end)``; grid rows replace their text lines."""
    lo, hi = ctx.norm.orig(start), ctx.norm.orig(min(end, len(ctx.norm.text)))
    grids = [n for n, g in enumerate(ctx.doc.grids) if g.end > lo and g.start < hi]
    if not grids:
        return text_tokens(ctx, start, end)
    rows = sorted((row for n in grids for row in grid_rows(ctx, ctx.doc.grids[n])), key=lambda r: r[0])
    toks: list[Tok] = []
    text = ctx.norm.text
    pos = start
    line_no = 0
    used: set[int] = set()
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        o_start = ctx.norm.orig(pos)
        o_end = ctx.norm.span(pos, stop)[1] if stop > pos else o_start
        hit = next((i for i in range(len(rows)) if rows[i][0] <= o_start < max(rows[i][1], rows[i][0] + 1) or
                    (o_start <= rows[i][0] < o_end)), None)
        if hit is not None:
            if hit not in used:
                used.add(hit)
                for t in rows[hit][2]:
                    t.line = line_no
                    toks.append(t)
        else:
            toks.extend(text_tokens(ctx, pos, stop, line_no))
        line_no += 1
        pos = stop + 1
    return toks
