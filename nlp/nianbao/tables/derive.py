"""Derived keys of spec §5.4: subtotal rows, the 法人或其他组织 subtotal column, 2021 (六)其他处理 and
the litigation total, computed from the cells as read.

A derived cell has status ``derived`` so that it is never mistaken for a printed value; a key the
report prints itself (an optional subtotal row or column) keeps its read cell, and the checks stage
compares it with the sum. A sum is only given when every input is a clean number (``ok`` or
``derived``) or a blank that counts as 0 because its row total is printed (spec §3.3); any other
input (blank without a total, ambiguous, unparsable) makes the derived value None.
"""

from __future__ import annotations

from ..schema import Cell, Number
from .spec import catalogue


def derive(cells: dict[str, Cell], fmt: str) -> None:
    """Add the derived keys of ``fmt`` to ``cells`` (printed keys are left untouched)."""
    for spec in catalogue().values():
        if spec.single_row:
            for target, parts in spec.derived_columns.items():
                _put(cells, spec.key(None, target), [spec.key(None, p) for p in parts])
            continue
        rows = spec.rows_for(fmt)
        row_keys = {r.key for r in rows}
        for parent, children in spec.groups.items():
            kids = [k for k in children if k in row_keys]
            if parent in row_keys and kids:
                for col in spec.columns:
                    _put(cells, f"{spec.name}.{parent}.{col}", [f"{spec.name}.{k}.{col}" for k in kids])
        for target, parts in spec.derived_columns.items():
            for row in rows:
                _put(cells, spec.key(row, target), [spec.key(row, p) for p in parts])


def _put(cells: dict[str, Cell], key: str, parts: list[str]) -> None:
    if key in cells and cells[key].status != "absent":
        return  # printed by the report: read, and checked against the sum by the checks stage
    inputs = [cells.get(p) for p in parts]
    if all(c is None or c.status == "absent" for c in inputs):
        return  # nothing printed to derive from
    total: Number = 0
    for p, c in zip(parts, inputs, strict=True):
        v = _input(cells, p, c)
        if v is None:
            cells[key] = Cell(value=None, status="derived")
            return
        total += v
    cells[key] = Cell(value=total, status="derived")


def _input(cells: dict[str, Cell], key: str, cell: Cell | None) -> Number | None:
    """Value of one input; a blank counts as 0 only when its row total is printed (spec §3.3)."""
    if cell is None:
        return None
    if cell.status in ("ok", "derived") and cell.value is not None:
        return cell.value
    if cell.status == "blank":
        head, _, col = key.rpartition(".")
        total = cells.get(f"{head}.total")
        if col != "total" and total is not None and total.status == "ok" and total.value is not None:
            return 0
    return None
