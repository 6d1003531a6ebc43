"""Reports as tidy tables (pyarrow / pandas): reports, cells, legacy, facts, paragraphs, checks, merged.

One row layout shared by every export (CSV, Parquet, DuckDB, Stata) and by
``nianbao.to_frames()`` / ``nianbao.load()``. Types are chosen so that R's arrow,
DuckDB and pandas read them as they are: offsets and counts are int64, values
float64, lists are Arrow lists (``sources``, ``sections``, ``themes``, ``keys``,
``candidates``) and paragraph scores a map from label to score. Formats without
nested types (CSV, Stata) flatten them with :func:`flat_value`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from nianbao.schema import Report

TABLES = ("reports", "cells", "legacy", "facts", "paragraphs", "checks", "merged")
LIST_SEP = "|"  # joins list values in CSV and Stata cells (paths and labels never contain it in practice)

# column → type; "list<…>" and "map" are Arrow nested types, flattened to text in CSV/Stata
_SCHEMAS: dict[str, dict[str, str]] = {
    "reports": {"report": "string", "source": "string", "sources": "list<string>", "issuer": "string",
                "issuer_id": "string", "division_code": "string", "issuer_level": "string",
                "issuer_kind": "string", "year": "int64", "format_id": "string", "script": "string",
                "media_type": "string", "sha256": "string", "sections": "list<string>", "n_cells": "int64",
                "n_legacy": "int64", "n_facts": "int64", "n_paragraphs": "int64", "failed_checks": "int64",
                "warnings": "list<string>"},
    "cells": {"report": "string", "key": "string", "table": "string", "row": "string", "column": "string",
              "value": "float64", "raw": "string", "unit": "string", "status": "string", "start": "int64",
              "end": "int64", "raw_label": "string", "candidates": "list<float64>"},
    "legacy": {"report": "string", "label": "string", "raw_label": "string", "unit": "string", "period": "string",
               "value": "float64", "raw": "string", "status": "string", "start": "int64", "end": "int64",
               "candidates": "list<string>"},
    "facts": {"report": "string", "metric": "string", "value": "float64", "unit": "string", "qualifier": "string",
              "raw": "string", "text": "string", "section": "string", "start": "int64", "end": "int64"},
    "paragraphs": {"report": "string", "section": "string", "start": "int64", "end": "int64", "role": "string",
                   "themes": "list<string>", "scores": "map", "text": "string"},
    "checks": {"report": "string", "id": "string", "rule": "string", "status": "string", "left": "float64",
               "right": "float64", "delta": "float64", "cause": "string", "severity": "string",
               "keys": "list<string>", "message": "string"},
    "merged": {"report": "string", "metric": "string", "value": "float64", "source": "string",
               "table_value": "float64", "prose_value": "float64", "conflict": "bool", "table_key": "string"},
}
COLUMNS: dict[str, tuple[str, ...]] = {name: tuple(schema) for name, schema in _SCHEMAS.items()}

# Identity fields of the issuer: read when the Report carries them (older JSON lines do not).
_ISSUER_FIELDS = (("issuer_id", "issuer_id"), ("division_code", "division_code"), ("issuer_level", "issuer_level"),
                  ("issuer_kind", "issuer_kind"))


def report_id(d: dict[str, Any]) -> str:
    """The ``report`` key of every table: the first 16 hex digits of the content hash."""
    return (d.get("sha256") or "")[:16] or d["source"]


def _issuer(d: dict[str, Any], field: str) -> str | None:
    """An issuer identity field, wherever the report keeps it (``identity``, top level, meta); None when absent."""
    short = field.removeprefix("issuer_")
    for name in ("identity", "issuer_identity", "issuer_info"):
        sub = d.get(name)
        if isinstance(sub, dict):
            v = sub.get(field) if sub.get(field) is not None else sub.get(short)
            if v is not None:
                return str(v)
    for where in (d, d.get("meta") or {}):
        v = where.get(field)
        if v is not None and not isinstance(v, dict | list):
            return str(v)
    return None


def _int(v: Any) -> int | None:
    """Offsets and counts as integers (JSON may hold 12.0)."""
    return None if v is None or isinstance(v, bool) else int(v)


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def _candidates(v: Any, numeric: bool) -> list[Any]:
    if v is None:
        return []
    items = v.split("|") if isinstance(v, str) else list(v)
    if not numeric:
        return [str(x) for x in items]
    out = []
    for x in items:
        try:
            out.append(float(x))
        except (TypeError, ValueError):
            continue
    return out


def split_key(key: str) -> tuple[str, str, str]:
    """``table4.litigation_direct.upheld`` → (table4, litigation_direct, upheld)."""
    parts = key.split(".")
    if len(parts) < 3:
        return parts[0], ".".join(parts[1:]), ""
    return parts[0], ".".join(parts[1:-1]), parts[-1]


def columns(report: Report | dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Table rows of one report, column-wise: ``{table: [values of column 1, values of column 2, …]}``.

    Works on the model or on its JSON form (the export staging lines), so exports need not
    re-validate every staged report; column-wise lists feed Arrow without per-row objects.
    """
    d = report.model_dump() if isinstance(report, Report) else report
    rid = report_id(d)
    tables, facts, paragraphs = d.get("tables") or {}, d.get("facts") or [], d.get("paragraphs") or []
    checks, merged, legacy = d.get("checks") or [], d.get("merged") or {}, d.get("legacy_stats") or []
    cells = list(tables.values())
    mets = list(merged.values())
    parts = [split_key(k) for k in tables]

    def col(items: list[dict[str, Any]], key: str, kind: str = "") -> list[Any]:
        conv = {"num": _num, "int": _int}.get(kind)
        return [conv(it.get(key)) for it in items] if conv else [it.get(key) for it in items]

    sources = d.get("sources") or [d["source"]]
    return {
        "reports": [[rid], [d["source"]], [list(sources)], [d.get("issuer")],
                    *([_issuer(d, f)] for _, f in _ISSUER_FIELDS),
                    [_int(d.get("year"))], [d.get("format_id")], [d.get("script")], [d.get("media_type")],
                    [d.get("sha256")], [[s["key"] for s in d.get("sections") or []]], [len(tables)], [len(legacy)],
                    [len(facts)], [len(paragraphs)], [sum(1 for c in checks if c["status"] == "fail")],
                    [[f"{w.get('code')}: {w.get('message')}" for w in d.get("warnings") or []]]],
        "cells": [[rid] * len(cells), list(tables), [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts],
                  col(cells, "value", "num"), col(cells, "raw"), col(cells, "unit"), col(cells, "status"),
                  col(cells, "start", "int"), col(cells, "end", "int"), col(cells, "raw_label"),
                  [_candidates(c.get("candidates"), True) for c in cells]],
        "legacy": [[rid] * len(legacy), col(legacy, "label"), col(legacy, "raw_label"), col(legacy, "unit"),
                   col(legacy, "column"), col(legacy, "value", "num"), [_str(e.get("raw")) for e in legacy],
                   col(legacy, "status"), col(legacy, "start", "int"), col(legacy, "end", "int"),
                   [_candidates(e.get("candidates"), False) for e in legacy]],
        "facts": [[rid] * len(facts), col(facts, "metric"), col(facts, "value", "num"), col(facts, "unit"),
                  col(facts, "qualifier"), col(facts, "raw"), col(facts, "text"), col(facts, "section"),
                  col(facts, "start", "int"), col(facts, "end", "int")],
        "paragraphs": [[rid] * len(paragraphs), col(paragraphs, "section"), col(paragraphs, "start", "int"),
                       col(paragraphs, "end", "int"), col(paragraphs, "role"),
                       [list(p.get("themes") or []) for p in paragraphs],
                       [sorted((p.get("scores") or {}).items()) for p in paragraphs],
                       [p.get("text") for p in paragraphs]],
        "checks": [[rid] * len(checks), col(checks, "id"), col(checks, "rule"), col(checks, "status"),
                   col(checks, "left", "num"), col(checks, "right", "num"), col(checks, "delta", "num"),
                   col(checks, "cause"), [c.get("severity") if c.get("status") == "fail" else None for c in checks],
                   [list(c.get("keys") or []) for c in checks], col(checks, "message")],
        "merged": [[rid] * len(mets), list(merged), col(mets, "value", "num"), col(mets, "source"),
                   col(mets, "table_value", "num"), col(mets, "prose_value", "num"), col(mets, "conflict"),
                   col(mets, "table_key")],
    }


def _str(v: Any) -> str | None:
    return None if v is None else str(v)


def rows(report: Report | dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Table rows of one report as dicts (column name → value)."""
    return {name: [dict(zip(COLUMNS[name], rec, strict=True)) for rec in zip(*cols, strict=True)]
            for name, cols in columns(report).items()}


def arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(),
            "list<string>": pa.list_(pa.string()), "list<float64>": pa.list_(pa.float64()),
            "map": pa.map_(pa.string(), pa.float64())}[kind]


def schema(name: str) -> Any:
    """The Arrow schema of one table."""
    import pyarrow as pa

    return pa.schema([(col, arrow_type(kind)) for col, kind in _SCHEMAS[name].items()])


def kinds(name: str) -> dict[str, str]:
    """Column → type name (``string``, ``int64``, ``float64``, ``bool``, ``list<…>``, ``map``) of one table."""
    return dict(_SCHEMAS[name])


def to_arrow(reports: Iterable[Report | dict[str, Any]]) -> dict[str, Any]:
    """pyarrow Tables keyed by table name, built column-wise (the fast path of every export)."""
    import pyarrow as pa

    acc: dict[str, list[list[Any]]] = {t: [[] for _ in _SCHEMAS[t]] for t in TABLES}
    for r in reports:
        for name, cols in columns(r).items():
            for into, values in zip(acc[name], cols, strict=True):
                into.extend(values)
    return {name: pa.table({col: pa.array(values, type=arrow_type(kind))
                            for (col, kind), values in zip(_SCHEMAS[name].items(), acc[name], strict=True)})
            for name in TABLES}


def arrow_to_pandas(table: Any) -> Any:
    """A DataFrame with nullable dtypes (string, Int64, float64, boolean); lists stay Python lists,
    scores become dicts."""
    import pandas as pd
    import pyarrow as pa

    mapping = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype(),
               pa.bool_(): pd.BooleanDtype()}
    df = table.to_pandas(types_mapper=mapping.get)
    for field in table.schema:
        if pa.types.is_map(field.type):
            df[field.name] = [dict(v) if v is not None else {} for v in table.column(field.name).to_pylist()]
        elif pa.types.is_list(field.type):
            df[field.name] = [v if v is not None else [] for v in table.column(field.name).to_pylist()]
    return df


def to_frames(reports: Iterable[Report | dict[str, Any]]) -> dict[str, Any]:
    """DataFrames keyed by table name; empty frames keep their columns and dtypes."""
    return {name: arrow_to_pandas(table) for name, table in to_arrow(reports).items()}


def flat_value(v: Any, kind: str) -> Any:
    """A nested value as text for CSV and Stata: lists joined with ``|``, maps as JSON (text stays text)."""
    if isinstance(v, str):
        return v
    if kind == "map":
        if v is None:
            return None
        items = v.items() if isinstance(v, dict) else v
        return json.dumps({k: s for k, s in items}, ensure_ascii=False, sort_keys=True)
    if kind.startswith("list<"):
        if v is None:
            return None
        return LIST_SEP.join(_fmt(x) for x in v)
    return v


def _fmt(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def flatten(df: Any, name: str) -> Any:
    """A copy of one table's DataFrame with nested columns as text (CSV, Stata)."""
    out = df.copy()
    for col, kind in _SCHEMAS[name].items():
        if col in out.columns and (kind.startswith("list<") or kind == "map"):
            out[col] = [flat_value(v, kind) for v in out[col]]
    return out


def wide(frames: dict[str, Any]) -> Any:
    """One row per report: identity fields, then a value and a status column per table cell key.

    Column names are the codebook's short names (``t3_new_req_tot``, status ``t3_new_req_tot_s``):
    valid in Stata and R, at most 32 characters. ``nianbao codebook`` maps them to keys and labels.
    """
    import pandas as pd

    from nianbao.io.codebook import key_order, short_name

    reports = frames["reports"]
    ident = reports[["report", "source", "issuer", "issuer_id", "division_code", "issuer_level", "year",
                     "format_id"]].reset_index(drop=True)
    cells = frames["cells"].drop_duplicates(["report", "key"])
    if cells.empty:
        return ident
    keys = sorted(set(cells["key"]), key=key_order)
    values = cells.pivot(index="report", columns="key", values="value")
    status = cells.pivot(index="report", columns="key", values="status")
    parts = {}
    for k in keys:
        name = short_name(k)
        parts[name] = values[k] if k in values.columns else pd.Series(dtype="float64")
        parts[name + "_s"] = status[k]
    grid = pd.DataFrame(parts)
    grid.index.name = "report"
    return ident.merge(grid.reset_index(), on="report", how="left")
