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


def rows(report: Report) -> dict[str, list[dict[str, Any]]]:
    rid = report.sha256[:16] or report.source
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    out["reports"].append({
        "report": rid, "source": report.source, "issuer": report.issuer, "year": report.year,
        "format_id": report.format_id, "script": report.script, "media_type": report.media_type,
        "sha256": report.sha256, "sections": ",".join(s.key for s in report.sections),
        "n_cells": len(report.tables), "n_facts": len(report.facts), "n_paragraphs": len(report.paragraphs),
        "failed_checks": sum(1 for c in report.checks if c.status == "fail"),
        "warnings": json.dumps([w.model_dump() for w in report.warnings], ensure_ascii=False),
    })
    for key, cell in report.tables.items():
        out["cells"].append({"report": rid, "key": key, "value": _num(cell.value), "raw": cell.raw,
                             "unit": cell.unit, "status": cell.status, "start": cell.start, "end": cell.end})
    for f in report.facts:
        out["facts"].append({"report": rid, "metric": f.metric, "value": _num(f.value), "unit": f.unit,
                             "qualifier": f.qualifier, "raw": f.raw, "section": f.section,
                             "start": f.start, "end": f.end})
    for p in report.paragraphs:
        out["paragraphs"].append({"report": rid, "section": p.section, "start": p.start, "end": p.end,
                                  "role": p.role, "themes": ",".join(p.themes),
                                  "scores": json.dumps(p.scores, sort_keys=True)})
    for c in report.checks:
        out["checks"].append({"report": rid, "id": c.id, "rule": c.rule, "status": c.status,
                              "left": _num(c.left), "right": _num(c.right), "delta": _num(c.delta),
                              "cause": c.cause, "severity": c.severity, "keys": ",".join(c.keys)})
    for metric, m in report.merged.items():
        out["merged"].append({"report": rid, "metric": metric, "value": _num(m.value), "source": m.source,
                              "table_value": _num(m.table_value), "prose_value": _num(m.prose_value),
                              "conflict": m.conflict, "table_key": m.table_key})
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


def to_frames(reports: Iterable[Report]) -> dict[str, Any]:
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
