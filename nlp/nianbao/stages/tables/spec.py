"""The table catalogue of ``data/tables.yaml`` as typed objects (rows, columns, anchors, priors)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from nianbao.resources import load_yaml

FORMATS = ("gov_2019", "gov_2021")


@dataclass(frozen=True)
class RowSpec:
    key: str
    pattern: re.Pattern[str]
    parent: str | None = None
    num: int | None = None
    formats: tuple[str, ...] = FORMATS
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    priors: dict[str, tuple[tuple[Any, ...], ...]] = field(default_factory=dict)
    optional: tuple[str, ...] = ()  # formats in which the row is derived unless printed (subtotal rows)


@dataclass(frozen=True)
class OptionalColumn:
    """A column some templates print (法人或其他组织小计): found by its header, placed after ``after``."""

    key: str
    header: re.Pattern[str]
    after: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    anchors: tuple[tuple[re.Pattern[str], int], ...]
    span: int
    start_min_weight: int
    rows: tuple[RowSpec, ...]
    width: int | None = None
    columns: tuple[str, ...] = ()
    row_identity: tuple[tuple[tuple[int, ...], int], ...] = ()
    single_row: bool = False
    ordered: bool = True
    units: dict[str, str] = field(default_factory=dict)
    signed: frozenset[str] = frozenset()
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    derived_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    optional_columns: tuple[OptionalColumn, ...] = ()
    header_units: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def optional_row(self, row: RowSpec, fmt: str) -> bool:
        """A subtotal row (or 2021 (六)其他处理): derived from its children unless the report prints it."""
        return fmt in row.optional

    def with_columns(self, printed: tuple[str, ...]) -> TableSpec:
        """This table with the optional columns ``printed`` inserted; row identities follow the columns."""
        if not printed:
            return self
        cols = list(self.columns)
        for oc in self.optional_columns:
            if oc.key in printed and oc.key not in cols:
                cols.insert(cols.index(oc.after) + 1, oc.key)
        idx = {c: i for i, c in enumerate(cols)}
        ident = [(tuple(idx[self.columns[i]] for i in parts), idx[self.columns[t]]) for parts, t in self.row_identity]
        ident += [(tuple(idx[c] for c in self.derived_columns[k]), idx[k]) for k in printed if k in self.derived_columns]
        return replace(self, columns=tuple(cols), width=len(cols), row_identity=tuple(ident))

    def rows_for(self, fmt: str) -> list[RowSpec]:
        """Rows that can be printed in a report of format ``fmt``, in printed order."""
        return [r for r in self.rows if fmt in r.formats]

    def cols(self, row: RowSpec, fmt: str) -> tuple[str, ...]:
        return row.columns.get(fmt, self.columns) if row.columns else self.columns

    def identity(self, row: RowSpec, fmt: str) -> tuple[tuple[tuple[int, ...], int], ...]:
        return self.row_identity if len(self.cols(row, fmt)) == (self.width or 0) else ()

    def key(self, row: RowSpec | None, col: str) -> str:
        return f"{self.name}.{row.key}.{col}" if row is not None else f"{self.name}.{col}"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, TableSpec]:
    data = load_yaml("tables.yaml")
    out: dict[str, TableSpec] = {}
    for name, t in data["tables"].items():
        rows = []
        for r in t.get("rows", []):
            rows.append(RowSpec(
                key=r["key"], pattern=re.compile(r["pattern"]), parent=r.get("parent"), num=r.get("num"),
                formats=tuple(r.get("formats", FORMATS)),
                columns={k: tuple(v) for k, v in (r.get("columns") or {}).items()},
                priors={k: tuple(tuple(p) for p in v) for k, v in (r.get("priors") or {}).items()},
                optional=tuple(r.get("optional", ())),
            ))
        out[name] = TableSpec(
            name=name,
            anchors=tuple((re.compile(p), int(w)) for p, w in t["anchors"].items()),
            span=int(t["span"]), start_min_weight=int(t.get("start_min_weight", 1)), rows=tuple(rows),
            width=t.get("width"), columns=tuple(t.get("columns", ())),
            row_identity=tuple((tuple(a), int(b)) for a, b in t.get("row_identity", ())),
            single_row=bool(t.get("single_row", False)), ordered=bool(t.get("ordered", True)), units=dict(t.get("units", {})),
            signed=frozenset(t.get("signed", ())),
            groups={k: tuple(v) for k, v in (t.get("groups") or {}).items()},
            derived_columns={k: tuple(v) for k, v in (t.get("derived_columns") or {}).items()},
            optional_columns=tuple(OptionalColumn(k, re.compile(v["header"]), v["after"])
                                   for k, v in (t.get("optional_columns") or {}).items()),
            header_units={k: re.compile(v) for k, v in (t.get("header_units") or {}).items()},
        )
    return out


@lru_cache(maxsize=1)
def format_markers() -> dict[str, list[re.Pattern[str]]]:
    data = load_yaml("tables.yaml")
    return {fmt: [re.compile(p) for p in pats] for fmt, pats in data["formats"].items()}


def derived_keys(fmt: str) -> list[str]:
    """Keys of spec §5.4 computed by the tables stage (status ``derived`` unless printed)."""
    keys: list[str] = []
    for spec in catalogue().values():
        for target in spec.derived_columns:
            if spec.single_row:
                keys.append(spec.key(None, target))
                continue
            for row in spec.rows_for(fmt):
                keys.append(spec.key(row, target))
        for row in spec.rows_for(fmt):
            if spec.optional_row(row, fmt) and any(r.key in spec.groups.get(row.key, ()) for r in spec.rows_for(fmt)):
                keys.extend(spec.key(row, c) for c in spec.columns)
    return list(dict.fromkeys(keys))


def all_keys(fmt: str) -> list[str]:
    """Every canonical cell key of spec §5 that a report of ``fmt`` prints (derived keys excluded)."""
    keys: list[str] = []
    for spec in catalogue().values():
        if spec.single_row:
            keys.extend(spec.key(None, c) for c in spec.columns)
            continue
        for row in spec.rows_for(fmt):
            if spec.optional_row(row, fmt):
                continue  # subtotal rows and 2021 (六)其他处理 are derived unless printed
            keys.extend(spec.key(row, c) for c in spec.cols(row, fmt))
    return keys
