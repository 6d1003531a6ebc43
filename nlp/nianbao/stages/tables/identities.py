"""The arithmetic identities (勾稽关系) of Tables 3 and 4 as lists of cell keys (spec §3.3, §4).

Shared by the checks stage and by the run-together reader, which uses them to choose
between splits of digit runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nianbao.stages.tables.spec import catalogue

T3_APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                 "legal_service_org", "other_org")


@dataclass(frozen=True)
class Identity:
    id: str
    rule: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    severity: str = "error"
    total_key: str | None = None  # a blank cell may be assumed 0 only when this row total is printed


def _result_rows(fmt: str, present: Mapping[str, object]) -> list[str]:
    spec = catalogue()["table3"]
    rows = [r.key for r in spec.rows_for(fmt)]
    start, stop = rows.index("granted"), rows.index("results_total")
    cols = (*T3_APPLICANTS, "total")
    out: list[str] = []
    for key in rows[start:stop]:
        if not any(f"table3.{key}.{c}" in present for c in cols):
            continue
        children = spec.groups.get(key, ())
        if any(f"table3.{ch}.{c}" in present for ch in children for c in cols):
            continue  # the parent row is derived when its children are printed
        out.append(key)
    return out


def table_identities(fmt: str, present: Mapping[str, object]) -> list[Identity]:
    """Every identity that applies to the cells in ``present`` (printed keys of ``Report.tables``).

    Optional printed subtotals (a 法人或其他组织小计 column, (三)(四)(五)(六) subtotal rows) are
    checked against the cells they sum; derived cells are never passed in ``present``.
    """
    out: list[Identity] = []
    t3 = catalogue()["table3"]
    cols: tuple[str, ...] = (*T3_APPLICANTS, "total")
    for target in t3.derived_columns:
        if "table3.results_total." + target in present or "table3.new_requests." + target in present:
            cols = (*cols, target)  # a printed subtotal column obeys the column identities too
    for row in t3.rows:
        if f"table3.{row.key}.total" not in present:
            continue
        out.append(Identity(
            id=f"table3.row_total.{row.key}", rule=f"{row.key}: total = sum of the six applicant columns",
            left=(f"table3.{row.key}.total",), right=tuple(f"table3.{row.key}.{c}" for c in T3_APPLICANTS),
            total_key=f"table3.{row.key}.total"))
        for target, parts in t3.derived_columns.items():
            if f"table3.{row.key}.{target}" in present:
                out.append(Identity(
                    id=f"table3.{target}.{row.key}", rule=f"{row.key}: {target} = sum of {', '.join(parts)}",
                    left=(f"table3.{row.key}.{target}",), right=tuple(f"table3.{row.key}.{c}" for c in parts),
                    total_key=f"table3.{row.key}.total"))
    for parent, children in t3.groups.items():
        kids = [k for k in children if any(f"table3.{k}.{c}" in present for c in cols)]
        if not kids:
            continue
        for c in cols:
            if f"table3.{parent}.{c}" in present:
                out.append(Identity(
                    id=f"table3.group_sum.{parent}.{c}", rule=f"{c}: printed {parent} = sum of its sub-rows",
                    left=(f"table3.{parent}.{c}",), right=tuple(f"table3.{k}.{c}" for k in kids),
                    total_key=f"table3.{parent}.total"))
    if "table3.results_total.total" in present:
        results = _result_rows(fmt, present)
        for c in cols:
            out.append(Identity(
                id=f"table3.results_sum.{c}", rule=f"{c}: (七)总计 = sum of the result rows (一)…(六)",
                left=(f"table3.results_total.{c}",), right=tuple(f"table3.{r}.{c}" for r in results),
                total_key="table3.results_total.total"))
    if "table3.new_requests.total" in present:
        for c in cols:
            out.append(Identity(
                id=f"table3.balance.{c}",
                rule=f"{c}: 本年新收 + 上年结转 = 办理结果总计 + 结转下年 (本列数据的勾稽关系)",
                left=(f"table3.new_requests.{c}", f"table3.carried_over.{c}"),
                right=(f"table3.results_total.{c}", f"table3.carried_forward.{c}"),
                severity="error" if c == "total" else "warning", total_key=None))
    t4 = catalogue()["table4"]
    groups = sorted({c.split(".")[0] for c in t4.columns})
    for g in groups:
        if f"table4.{g}.total" not in present:
            continue
        out.append(Identity(
            id=f"table4.group_total.{g}", rule=f"{g}: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
            left=(f"table4.{g}.total",),
            right=tuple(f"table4.{g}.{c}" for c in ("upheld", "corrected", "other", "pending")),
            total_key=f"table4.{g}.total"))
    return out
