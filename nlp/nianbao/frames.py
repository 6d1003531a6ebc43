"""Reports as tidy tables (pandas): reports, cells, facts, paragraphs, checks, merged.

One row layout shared by every export (CSV, Parquet, DuckDB) and by
``Report.to_frames()`` / ``nianbao.load()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .schema import Report

TABLES = ("reports", "cells", "facts", "paragraphs", "checks", "merged")


def rows(report: Report | dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Table rows of one report, from the model or from its JSON form (the export staging lines).

    Working on plain dicts lets exports skip re-validating every staged report.
    """
    d = report.model_dump() if isinstance(report, Report) else report
    rid = (d.get("sha256") or "")[:16] or d["source"]
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    tables, facts, paragraphs = d.get("tables") or {}, d.get("facts") or [], d.get("paragraphs") or []
    checks, merged = d.get("checks") or [], d.get("merged") or {}
    out["reports"].append({
        "report": rid, "source": d["source"], "issuer": d.get("issuer"), "year": d.get("year"),
        "format_id": d.get("format_id"), "script": d.get("script"), "media_type": d.get("media_type"),
        "sha256": d.get("sha256"), "sections": ",".join(s["key"] for s in d.get("sections") or []),
        "n_cells": len(tables), "n_facts": len(facts), "n_paragraphs": len(paragraphs),
        "failed_checks": sum(1 for c in checks if c["status"] == "fail"),
        "warnings": json.dumps(d.get("warnings") or [], ensure_ascii=False),
    })
    for key, cell in tables.items():
        out["cells"].append({"report": rid, "key": key, "value": _num(cell.get("value")), "raw": cell.get("raw"),
                             "unit": cell.get("unit"), "status": cell.get("status"), "start": cell.get("start"),
                             "end": cell.get("end")})
    for f in facts:
        out["facts"].append({"report": rid, "metric": f["metric"], "value": _num(f.get("value")), "unit": f.get("unit"),
                             "qualifier": f.get("qualifier"), "raw": f.get("raw"), "section": f.get("section"),
                             "start": f.get("start"), "end": f.get("end")})
    for p in paragraphs:
        out["paragraphs"].append({"report": rid, "section": p.get("section"), "start": p["start"], "end": p["end"],
                                  "role": p.get("role"), "themes": ",".join(p.get("themes") or []),
                                  "scores": json.dumps(p.get("scores") or {}, sort_keys=True)})
    for c in checks:
        out["checks"].append({"report": rid, "id": c["id"], "rule": c.get("rule"), "status": c["status"],
                              "left": _num(c.get("left")), "right": _num(c.get("right")), "delta": _num(c.get("delta")),
                              "cause": c.get("cause"), "severity": c.get("severity"), "keys": ",".join(c.get("keys") or [])})
    for metric, m in merged.items():
        out["merged"].append({"report": rid, "metric": metric, "value": _num(m.get("value")), "source": m.get("source"),
                              "table_value": _num(m.get("table_value")), "prose_value": _num(m.get("prose_value")),
                              "conflict": m.get("conflict"), "table_key": m.get("table_key")})
    return out


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


def to_frames(reports: Iterable[Report | dict[str, Any]]) -> dict[str, Any]:
    """DataFrames keyed by table name; empty frames keep their columns and dtypes."""
    import pandas as pd

    acc: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    for r in reports:
        for name, rs in rows(r).items():
            acc[name].extend(rs)
    frames = {}
    for name in TABLES:
        schema = _SCHEMAS[name]
        df = pd.DataFrame(acc[name], columns=list(schema))
        frames[name] = df.astype(schema)
    return frames


def wide(cells: Any) -> Any:
    """One row per report, one column per canonical cell key."""
    if cells.empty:
        return cells
    return cells.pivot_table(index="report", columns="key", values="value", aggfunc="first").reset_index()
