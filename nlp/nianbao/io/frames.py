"""Reports as tidy tables (pyarrow / pandas): reports, cells, facts, paragraphs, checks, merged.

One row layout shared by every export (CSV, Parquet, DuckDB) and by
``nianbao.to_frames()`` / ``nianbao.load()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from nianbao.schema import Report

TABLES = ("reports", "cells", "facts", "paragraphs", "checks", "merged")


def columns(report: Report | dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Table rows of one report, column-wise: ``{table: [values of column 1, values of column 2, …]}``.

    Works on the model or on its JSON form (the export staging lines), so exports need not
    re-validate every staged report; column-wise lists feed Arrow without per-row objects.
    """
    d = report.model_dump() if isinstance(report, Report) else report
    rid = (d.get("sha256") or "")[:16] or d["source"]
    tables, facts, paragraphs = d.get("tables") or {}, d.get("facts") or [], d.get("paragraphs") or []
    checks, merged = d.get("checks") or [], d.get("merged") or {}
    cells = list(tables.values())
    mets = list(merged.values())

    def col(items: list[dict[str, Any]], key: str, num: bool = False) -> list[Any]:
        return [_num(it.get(key)) for it in items] if num else [it.get(key) for it in items]

    return {
        "reports": [[rid], [d["source"]], [d.get("issuer")], [d.get("year")], [d.get("format_id")], [d.get("script")],
                    [d.get("media_type")], [d.get("sha256")], [",".join(s["key"] for s in d.get("sections") or [])],
                    [len(tables)], [len(facts)], [len(paragraphs)], [sum(1 for c in checks if c["status"] == "fail")],
                    [json.dumps(d.get("warnings") or [], ensure_ascii=False)]],
        "cells": [[rid] * len(cells), list(tables), col(cells, "value", True), col(cells, "raw"), col(cells, "unit"),
                  col(cells, "status"), col(cells, "start"), col(cells, "end")],
        "facts": [[rid] * len(facts), col(facts, "metric"), col(facts, "value", True), col(facts, "unit"),
                  col(facts, "qualifier"), col(facts, "raw"), col(facts, "section"), col(facts, "start"),
                  col(facts, "end")],
        "paragraphs": [[rid] * len(paragraphs), col(paragraphs, "section"), col(paragraphs, "start"),
                       col(paragraphs, "end"), col(paragraphs, "role"),
                       [",".join(p.get("themes") or []) for p in paragraphs],
                       [json.dumps(p.get("scores") or {}, sort_keys=True) for p in paragraphs]],
        "checks": [[rid] * len(checks), col(checks, "id"), col(checks, "rule"), col(checks, "status"),
                   col(checks, "left", True), col(checks, "right", True), col(checks, "delta", True),
                   col(checks, "cause"), col(checks, "severity"), [",".join(c.get("keys") or []) for c in checks]],
        "merged": [[rid] * len(mets), list(merged), col(mets, "value", True), col(mets, "source"),
                   col(mets, "table_value", True), col(mets, "prose_value", True), col(mets, "conflict"),
                   col(mets, "table_key")],
    }


def rows(report: Report | dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Table rows of one report as dicts (column name → value)."""
    return {name: [dict(zip(COLUMNS[name], rec, strict=True)) for rec in zip(*cols, strict=True)]
            for name, cols in columns(report).items()}


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None if v is None else float(v)
    return float(v)


_SCHEMAS: dict[str, dict[str, str]] = {
    "reports": {"report": "string", "source": "string", "issuer": "string", "year": "Int64", "format_id": "string",
                "script": "string", "media_type": "string", "sha256": "string", "sections": "string",
                "n_cells": "Int64", "n_facts": "Int64", "n_paragraphs": "Int64", "failed_checks": "Int64",
                "warnings": "string"},
    "cells": {"report": "string", "key": "string", "value": "float64", "raw": "string", "unit": "string",
              "status": "string", "start": "Int64", "end": "Int64"},
    "facts": {"report": "string", "metric": "string", "value": "float64", "unit": "string", "qualifier": "string",
              "raw": "string", "section": "string", "start": "Int64", "end": "Int64"},
    "paragraphs": {"report": "string", "section": "string", "start": "Int64", "end": "Int64", "role": "string",
                   "themes": "string", "scores": "string"},
    "checks": {"report": "string", "id": "string", "rule": "string", "status": "string", "left": "float64",
               "right": "float64", "delta": "float64", "cause": "string", "severity": "string", "keys": "string"},
    "merged": {"report": "string", "metric": "string", "value": "float64", "source": "string",
               "table_value": "float64", "prose_value": "float64", "conflict": "boolean", "table_key": "string"},
}


COLUMNS: dict[str, tuple[str, ...]] = {name: tuple(schema) for name, schema in _SCHEMAS.items()}
_ARROW_TYPES = {"string": "string", "Int64": "int64", "float64": "float64", "boolean": "bool"}


def to_arrow(reports: Iterable[Report | dict[str, Any]]) -> dict[str, Any]:
    """pyarrow Tables keyed by table name, built column-wise (the fast path of every export)."""
    import pyarrow as pa

    acc: dict[str, list[list[Any]]] = {t: [[] for _ in _SCHEMAS[t]] for t in TABLES}
    for r in reports:
        for name, cols in columns(r).items():
            for into, values in zip(acc[name], cols, strict=True):
                into.extend(values)
    return {name: pa.table({col: pa.array(values, type=_ARROW_TYPES[dtype])
                            for (col, dtype), values in zip(_SCHEMAS[name].items(), acc[name], strict=True)})
            for name in TABLES}


def arrow_to_pandas(table: Any) -> Any:
    """A DataFrame with the nullable dtypes of ``_SCHEMAS`` (string, Int64, float64, boolean)."""
    import pandas as pd
    import pyarrow as pa

    mapping = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype(),
               pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=mapping.get)


def to_frames(reports: Iterable[Report | dict[str, Any]]) -> dict[str, Any]:
    """DataFrames keyed by table name; empty frames keep their columns and dtypes."""
    return {name: arrow_to_pandas(table) for name, table in to_arrow(reports).items()}


def wide(cells: Any) -> Any:
    """One row per report, one column per canonical cell key."""
    if cells.empty:
        return cells
    return cells.pivot_table(index="report", columns="key", values="value", aggfunc="first").reset_index()
