"""Derived keys of spec §5.4: subtotal rows, the 法人或其他组织 subtotal column, 2021 (六)其他处理 and
the litigation total, computed from the cells as read.

A derived cell has status ``derived`` so that it is never mistaken for a printed value; a key the
report prints itself (an optional subtotal row or column) keeps its read cell, and the checks stage
compares it with the sum. A sum is only given when every input is a clean number (``ok`` or
``derived``) or a blank that counts as 0 because its row total is printed (spec §3.3); any other
input (blank without a total, ambiguous, unparsable) makes the derived value None.
"""

from __future__ import annotations

from functools import lru_cache

from nianbao.schema import Cell, Number
from nianbao.stages.tables.spec import catalogue


def derive(cells: dict[str, Cell], fmt: str) -> None:
    """Add the derived keys of ``fmt`` to ``cells`` (printed keys are left untouched)."""
    for key, parts in _plan(fmt):
        _put(cells, key, list(parts))


@lru_cache(maxsize=8)
def _plan(fmt: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(derived key, input keys) of ``fmt`` in the order they are computed (subtotal rows before
    the columns that sum them); depends on the catalogue only, so built once per format."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for spec in catalogue().values():
        if spec.single_row:
            for target, parts in spec.derived_columns.items():
                out.append((spec.key(None, target), tuple(spec.key(None, p) for p in parts)))
            continue
        rows = spec.rows_for(fmt)
        row_keys = {r.key for r in rows}
        for parent, children in spec.groups.items():
            kids = [k for k in children if k in row_keys]
            if parent in row_keys and kids:
                for col in spec.columns:
                    out.append((f"{spec.name}.{parent}.{col}", tuple(f"{spec.name}.{k}.{col}" for k in kids)))
        for target, parts in spec.derived_columns.items():
            for row in rows:
                out.append((spec.key(row, target), tuple(spec.key(row, p) for p in parts)))
    return tuple(out)


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
