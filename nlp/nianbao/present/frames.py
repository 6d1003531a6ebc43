"""Corpus overviews of an export (``nianbao summary OUT``): plain-text tables a researcher reads first.

Built from the exported tables only (any format ``nianbao.load`` reads), so it describes exactly
what a later analysis will see: reports by year, format generation and issuer level, the share
of reports with statistics tables, blank and ambiguous cells, and failing checks per report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _table(title: str, rows: list[tuple[Any, ...]], head: tuple[str, ...]) -> str:
    if not rows:
        return f"{title}\n  (none)\n"
    cols = list(zip(*([head, *[tuple("" if v is None else str(v) for v in r) for r in rows]]), strict=True))
    widths = [max(_width(v) for v in c) for c in cols]
    lines = [title]
    for r in [head, *rows]:
        cells = ["" if v is None else str(v) for v in r]
        lines.append("  " + "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def _width(s: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else "-"


def summary_tables(frames: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """The numbers behind the summary, as rows (tests and notebooks use them directly)."""
    reports, cells, checks = frames["reports"], frames["cells"], frames["checks"]
    n = len(reports)
    out: dict[str, list[tuple[Any, ...]]] = {}
    import pandas as pd

    by_year = reports["year"].map(lambda y: "unknown" if pd.isna(y) else int(y))  # Stata stores floats
    out["year"] = [(y, c, _pct(c, n)) for y, c in sorted(by_year.value_counts().items(), key=lambda t: str(t[0]))]
    out["format"] = [(f, c, _pct(c, n)) for f, c in reports["format_id"].fillna("unknown").value_counts().items()]
    level = reports["issuer_level"] if "issuer_level" in reports else None
    if level is not None and level.notna().any():
        out["level"] = [(lv, c, _pct(c, n)) for lv, c in level.fillna("unknown").value_counts().items()]
    else:
        out["level"] = [("unknown", n, _pct(n, n))] if n else []
    has_cells = set(cells["report"]) if not cells.empty else set()
    legacy = frames.get("legacy")
    has_legacy = set(legacy["report"]) if legacy is not None and not legacy.empty else set()
    out["tables"] = [("Tables 2/3/4", len(has_cells), _pct(len(has_cells), n)),
                     ("2008-2018 statistics annex", len(has_legacy), _pct(len(has_legacy), n)),
                     ("either", len(has_cells | has_legacy), _pct(len(has_cells | has_legacy), n))]
    status = cells["status"].value_counts() if not cells.empty else {}
    total = len(cells)
    out["cells"] = [(s, int(status.get(s, 0)), _pct(int(status.get(s, 0)), total))
                    for s in ("ok", "derived", "blank", "ambiguous", "unparsable", "assumed_zero", "absent")
                    if int(status.get(s, 0))]
    fails = checks[checks["status"] == "fail"] if not checks.empty else checks
    per = fails.groupby("report").size() if not fails.empty else None
    counts = [int(per.get(r, 0)) if per is not None else 0 for r in reports["report"]]
    buckets = [("0", sum(1 for c in counts if c == 0)), ("1", sum(1 for c in counts if c == 1)),
               ("2-5", sum(1 for c in counts if 2 <= c <= 5)), ("6+", sum(1 for c in counts if c >= 6))]
    out["failing"] = [(b, c, _pct(c, n)) for b, c in buckets]
    worst = sorted(zip(counts, reports["source"], by_year, strict=True), key=lambda t: (-t[0], str(t[1])))
    out["worst"] = [(c, Path(str(s)).name, y) for c, s, y in worst[:10] if c]
    return out


def _n_sources(v: Any) -> int:
    """Number of paths in a ``sources`` value (a list, or ``|``-joined text in CSV/Stata)."""
    if isinstance(v, str):
        return len([x for x in v.split("|") if x])
    return 0 if v is None else len(v)


def summarize(path: str | Path) -> str:
    """The text of ``nianbao summary``."""
    from nianbao.io.export import load

    frames = load(path)
    t = summary_tables(frames)
    n = len(frames["reports"])
    dup = sum(max(_n_sources(s) - 1, 0) for s in frames["reports"]["sources"]) if "sources" in frames["reports"] else 0
    parts = [f"{n} reports in {path}" + (f" ({dup} duplicate files)" if dup else "") + "\n",
             _table("Reports by year", t["year"], ("year", "reports", "share")),
             _table("Reports by format", t["format"], ("format", "reports", "share")),
             _table("Reports by issuer level", t["level"], ("level", "reports", "share")),
             _table("Reports with statistics tables", t["tables"], ("tables", "reports", "share")),
             _table("Table cells by status", t["cells"], ("status", "cells", "share")),
             _table("Failing checks per report", t["failing"], ("failing checks", "reports", "share")),
             _table("Reports with the most failing checks", t["worst"], ("failing", "file", "year"))]
    return "\n".join(parts)
