"""The codebook: every key nianbao emits, with its Chinese labels, unit, meaning and format generations.

Generated from the package data, never written by hand: labels and layout from ``view.yaml``,
which rows exist in which template from ``tables.yaml``, prose metrics and their units from
``metrics.yaml`` (and the spec keys of ``facts_model.yaml``), table counterparts from ``merge.yaml``,
meanings from ``codebook.yaml``.
It also fixes the short column names of the wide table (valid Stata/R names, ≤ 32 characters).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

from nianbao.resources import load_yaml

FIELDS = ("key", "short_name", "kind", "table", "row", "column", "label_zh", "row_label_zh", "column_label_zh",
          "unit", "meaning", "formats", "table_counterpart")
TABLE_FORMATS = ("gov_2019", "gov_2021")  # templates with Tables 2/3/4; legacy_2008 reports have an annex instead
_TABLE_NO = {"table2": "表二", "table3": "表三", "table4": "表四"}


def _abbrev(part: str) -> str:
    return "_".join(p[:3] for p in part.split("_") if p)


def short_name(key: str) -> str:
    """Wide-table column of a cell key: ``table3.new_requests.total`` → ``t3_new_req_tot``.

    Each word of row and column is cut to three letters; a key that would not give a valid
    name of at most 30 characters (the status column adds ``_s``) gets ``k_`` + a hash.
    """
    parts = key.split(".")
    if len(parts) >= 3 and re.fullmatch(r"table\d", parts[0]):
        name = f"t{parts[0][5:]}_" + "_".join(_abbrev(p) for p in parts[1:])
        if len(name) <= 30 and re.fullmatch(r"[a-z][a-z0-9_]*", name):
            return name
    return "k_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


@lru_cache(maxsize=1)
def _data() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    return (load_yaml("view.yaml")["tables"], load_yaml("tables.yaml"), load_yaml("metrics.yaml")["metrics"],
            load_yaml("merge.yaml")["metrics"], load_yaml("codebook.yaml"))


def _table_keys() -> list[tuple[str, str, str, list[str]]]:
    """(table, row, column, formats) of every cell key the table parser can emit, in template order."""
    view, tables, _, _, _ = _data()
    spec = tables["tables"]
    out: list[tuple[str, str, str, list[str]]] = []
    # table 2: each row lists its columns per format
    t2 = {r["key"]: r for r in spec["table2"]["rows"]}
    for row, _ in view["table2"]["rows"]:
        r = t2.get(row)
        if r is None:
            continue
        for col, _ in view["table2"]["columns"]:
            fmts = [f for f in TABLE_FORMATS if col in (r.get("columns") or {}).get(f, [])
                    and f in (r.get("formats") or TABLE_FORMATS)]
            if fmts:
                out.append(("table2", row, col, fmts))
    # table 3: every row × every column (row formats restrict), derived subtotal column included
    t3 = {r["key"]: r for r in spec["table3"]["rows"]}
    t3_cols = [*spec["table3"]["columns"], *(spec["table3"].get("derived_columns") or {})]
    for row, _ in view["table3"]["rows"]:
        r = t3.get(row)
        if r is None:
            continue
        fmts = [f for f in TABLE_FORMATS if f in (r.get("formats") or TABLE_FORMATS)]
        for col, _ in view["table3"]["columns"]:
            if col in t3_cols:
                out.append(("table3", row, col, fmts))
    # table 4: the columns of its single row (row.column) and its derived sums
    t4 = {*spec["table4"]["columns"], *(spec["table4"].get("derived_columns") or {})}
    for row, _ in view["table4"]["rows"]:
        for col, _ in view["table4"]["columns"]:
            if f"{row}.{col}" in t4:
                out.append(("table4", row, col, list(TABLE_FORMATS)))
    return out


def _labels(table: str, row: str, col: str) -> tuple[str, str]:
    view = _data()[0]
    rows = dict(map(tuple, view[table]["rows"]))
    cols = dict(map(tuple, view[table]["columns"]))
    return rows.get(row, ""), cols.get(col, "")


def _counterpart(entry: dict[str, Any]) -> str:
    alts = []
    for alt in entry.get("table") or []:
        alts.append(" + ".join(alt["sum"]) if isinstance(alt, dict) else str(alt))
    return " | ".join(alts)


@lru_cache(maxsize=1)
def entries() -> tuple[dict[str, Any], ...]:
    """Every codebook row (a dict with :data:`FIELDS`), cell keys first in template order."""
    _, tables, metrics, merge, book = _data()
    units = tables["tables"]["table2"].get("units") or {}
    out: list[dict[str, Any]] = []
    for table, row, col, fmts in _table_keys():
        key = f"{table}.{row}.{col}"
        rl, cl = _labels(table, row, col)
        meaning = "; ".join(x for x in (book["rows"].get(table, {}).get(row), book["columns"].get(table, {}).get(col)) if x)
        out.append({"key": key, "short_name": short_name(key), "kind": "cell", "table": table, "row": row, "column": col,
                    "label_zh": f"{_TABLE_NO[table]} {rl} · {cl}", "row_label_zh": rl, "column_label_zh": cl,
                    "unit": units.get(col, "件"), "meaning": meaning,
                    "formats": " ".join(fmts), "table_counterpart": ""})
    meanings = book.get("metrics") or {}
    # fact keys: the rules' metrics, then keys only the trained classifier or the spec list know
    fact_keys = {k: v for k, v in metrics.items() if k.startswith("narrative.")}
    for key in [*_spec_keys(), *meanings]:
        if key not in fact_keys and key not in merge:
            fact_keys[key] = {}
    for key, spec in fact_keys.items():
        unit = " ".join("(none)" if u is None else str(u) for u in (spec or {}).get("units") or [])
        out.append({"key": key, "short_name": "", "kind": "fact", "table": "facts", "row": "", "column": "",
                    "label_zh": "", "row_label_zh": "", "column_label_zh": "", "unit": unit,
                    "meaning": meanings.get(key, ""), "formats": "all",
                    "table_counterpart": _counterpart(merge.get(key) or {})})
    for key, spec in merge.items():
        if key in fact_keys:
            continue
        out.append({"key": key, "short_name": "", "kind": "merged", "table": "merged", "row": "", "column": "",
                    "label_zh": "", "row_label_zh": "", "column_label_zh": "", "unit": "",
                    "meaning": meanings.get(key, ""), "formats": "all", "table_counterpart": _counterpart(spec)})
    return tuple(out)


def _spec_keys() -> list[str]:
    """Spec §6.1 keys listed with the fact classifier's data, when that data is installed."""
    try:
        return list(load_yaml("facts_model.yaml").get("spec_keys") or [])
    except (OSError, KeyError, AttributeError):
        return []


@lru_cache(maxsize=1)
def _order() -> dict[str, int]:
    return {e["key"]: i for i, e in enumerate(entries())}


def key_order(key: str) -> tuple[int, str]:
    """Sort key: codebook order, unknown keys last (alphabetically)."""
    return _order().get(key, len(_order())), key


def label(key: str) -> str:
    """Chinese label of a cell key (for Stata variable labels); the key itself when unknown."""
    e = next((e for e in entries() if e["key"] == key), None)
    return e["label_zh"] if e and e["label_zh"] else key


def write_csv(path: Any) -> int:
    """Write the codebook as UTF-8 CSV (with BOM so spreadsheet programs show the Chinese); returns rows."""
    import csv

    rows = entries()
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)
    return len(rows)
