"""Builds ``Document.text`` piece by piece and records where table cells land in it."""

from __future__ import annotations

import re

from nianbao.lang.cjk import HAN
from nianbao.schema import Grid, GridCell, MediaType

CELL_SEP = " | "
_WS = re.compile(r"\s+")
_CJK_BREAK = re.compile(rf"(?<=[{HAN}（(“、，。：；）”])\n(?=[{HAN}（）)”、，。0-9])")


def clean_cell(text: str | None) -> str:
    """One-line cell text: wrapped CJK lines are joined without a space."""
    if not text:
        return ""
    text = _CJK_BREAK.sub("", text.strip())
    return _WS.sub(" ", text).strip()


class TextBuilder:
    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self.grids: list[Grid] = []

    def __len__(self) -> int:
        return self._len

    def tail(self, n: int = 1) -> str:
        out = ""
        for part in reversed(self._parts):
            out = part + out
            if len(out) >= n:
                break
        return out[-n:]

    def write(self, text: str) -> None:
        if text:
            self._parts.append(text)
            self._len += len(text)

    def newline(self) -> None:
        """End the current line unless the text already ends with one."""
        if self._len and self.tail() != "\n":
            self.write("\n")

    def add_table(self, rows: list[list[tuple[str, bool]]], origin: MediaType, page: int | None = None) -> None:
        """Render rows as ``a | b | c`` lines; record each cell's offsets in a Grid.

        ``rows`` hold (text, spanned) pairs with merged cells already expanded;
        spanned copies are not written again, they point at their origin cell.
        """
        rows = [r for r in rows if any(t for t, _ in r)]
        if not rows:
            return
        self.newline()
        start = self._len
        grid_rows: list[list[GridCell]] = []
        placed: dict[tuple[int, int], GridCell] = {}
        for r, row in enumerate(rows):
            out_row: list[GridCell] = []
            first = True
            for c, (text, spanned) in enumerate(row):
                if spanned:
                    origin_cell = _find_origin(placed, r, c, text)
                    if origin_cell is not None:
                        out_row.append(GridCell(text=text, start=origin_cell.start, end=origin_cell.end, spanned=True))
                        continue
                if not first:
                    self.write(CELL_SEP)
                first = False
                cell = GridCell(text=text, start=self._len, end=self._len + len(text))
                self.write(text)
                placed[(r, c)] = cell
                out_row.append(cell)
            self.write("\n")
            grid_rows.append(out_row)
        self.grids.append(Grid(rows=grid_rows, start=start, end=self._len, page=page, origin=origin))

    def text(self) -> str:
        return "".join(self._parts)


def _find_origin(placed: dict[tuple[int, int], GridCell], r: int, c: int, text: str) -> GridCell | None:
    for rr, cc in ((r, c - 1), (r - 1, c)):
        cell = placed.get((rr, cc))
        if cell is not None and cell.text == text:
            placed[(r, c)] = cell
            return cell
    return None


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[tuple[str, bool]]]:
    """Expand (text, rowspan, colspan) rows into a rectangular grid of (text, spanned)."""
    grid: dict[tuple[int, int], tuple[str, bool]] = {}
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in grid:
                c += 1
            for dr in range(max(1, rowspan)):
                for dc in range(max(1, colspan)):
                    grid[(r + dr, c + dc)] = (text, bool(dr or dc))
            c += max(1, colspan)
            width = max(width, c)
    height = max((r for r, _ in grid), default=-1) + 1
    height = min(height, len(rows))  # rowspans past the last row are clipped
    return [[grid.get((r, c), ("", False)) for c in range(width)] for r in range(height)]
