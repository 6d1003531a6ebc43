"""Stage ``checks``: every 勾稽关系 of Tables 2/3/4 evaluated on the cells as read (spec §3.3, §4).

Numbers are never fixed here. A failing identity whose cells were all read cleanly is a
``source_inconsistency`` (the report itself does not add up, seed 000: results 43 vs 42); if any
cell was an uncertain read (ambiguous split, order-only placement) the cause is
``uncertain_read``. A blank cell counts as 0 only when its row (or group) total is printed,
and the check then reports ``assumed_zero`` instead of ``pass``.
``cross_report_checks`` compares consecutive reports of one issuer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from nianbao.schema import Cell, Check, Number, Report
from nianbao.stages.context import Context
from nianbao.stages.tables.identities import T3_APPLICANTS, Identity, table_identities

EPS = 1e-6
_MISSING = object()
T2_ITEM_ROWS = ("licensing", "other_mgmt_services", "penalty", "coercion", "admin_fees")


def run(ctx: Context) -> None:
    fmt = ctx.report.meta.get("tables_format") or ctx.report.format_id
    ctx.report.checks.extend(check_tables(ctx.report.tables, fmt))


def _row_total_key(key: str) -> str | None:
    parts = key.split(".")
    if len(parts) != 3 or parts[2] == "total":
        return None
    return f"{parts[0]}.{parts[1]}.total"


def _value(key: str, tables: dict[str, Cell]) -> tuple[object, bool]:
    """(value or _MISSING, assumed-zero flag) for one cell of an identity."""
    cell = tables.get(key)
    if cell is None or cell.status == "absent":
        return _MISSING, False
    if cell.value is not None:
        return cell.value, False
    if cell.status == "blank":
        total_key = _row_total_key(key)
        total = tables.get(total_key) if total_key else None
        if total is not None and total.value is not None:
            return 0, True
    return _MISSING, False


def evaluate(ident: Identity, tables: dict[str, Cell]) -> Check:
    """One identity on the cells as read; never modifies a cell."""
    keys = [*ident.left, *ident.right]
    missing: list[str] = []
    assumed: list[str] = []
    sums: list[float] = []
    for side in (ident.left, ident.right):
        total = 0.0
        for k in side:
            v, was_assumed = _value(k, tables)
            if v is _MISSING:
                missing.append(k)
                continue
            if was_assumed:
                assumed.append(k)
            total += float(v)  # type: ignore[arg-type]
        sums.append(total)
    if missing:
        return Check(id=ident.id, rule=ident.rule, status="not_assessable", keys=keys, severity=ident.severity,
                     message=f"not assessable: no value for {', '.join(missing[:4])}"
                             + (" …" if len(missing) > 4 else ""))
    left, right = _num(sums[0]), _num(sums[1])
    delta = _num(sums[0] - sums[1])
    if abs(sums[0] - sums[1]) < EPS:
        status = "assumed_zero" if assumed else "pass"
        msg = f"holds with blank cells taken as 0: {', '.join(assumed[:4])}" if assumed else "holds"
        return Check(id=ident.id, rule=ident.rule, status=status, left=left, right=right, delta=delta, keys=keys,
                     severity=ident.severity, message=msg)
    uncertain = [k for k in keys if tables[k].status in ("ambiguous", "unparsable")]
    cause = "uncertain_read" if uncertain else "source_inconsistency"
    msg = (f"{left} ≠ {right} (delta {delta}); "
           + (f"uncertain cells: {', '.join(uncertain[:4])}" if uncertain
              else "all cells read cleanly: the report does not add up"))
    return Check(id=ident.id, rule=ident.rule, status="fail", left=left, right=right, delta=delta, keys=keys,
                 cause=cause, severity=ident.severity, message=msg)


def _num(x: float) -> Number:
    return round(x) if abs(x - round(x)) < EPS else round(x, 6)


def check_tables(tables: dict[str, Cell], fmt: str) -> list[Check]:
    """All identities of spec §3.3/§4 that apply to the printed cells, plus the table-2 rule."""
    present = {k for k, c in tables.items() if c.status not in ("absent", "derived")}  # derived sums hold by construction
    out = [evaluate(i, tables) for i in table_identities(fmt, present)]
    for row in ("regulations", "normative_docs"):
        new, tot = f"table2.{row}.new_published", f"table2.{row}.total_published"
        a, b = tables.get(new), tables.get(tot)
        if a is None or b is None or a.value is None or b.value is None:
            continue
        ok = a.value <= b.value
        out.append(Check(
            id=f"table2.published_le_total.{row}", rule=f"{row}: 本年新公开数量 ≤ 对外公开总数量", keys=[new, tot],
            status="pass" if ok else "fail", left=a.value, right=b.value, delta=_num(float(a.value - b.value)),
            severity="warning", cause=None if ok else _cause([a, b]),
            message="holds" if ok else "more published this year than published in total"))
    return out


def _cause(cells: Iterable[Cell]) -> str:
    return "uncertain_read" if any(c.status in ("ambiguous", "unparsable") for c in cells) else "source_inconsistency"


def _get(report: Report, key: str) -> Number | None:
    cell = report.tables.get(key)
    return cell.value if cell is not None else None


def cross_report_checks(reports: list[Report]) -> list[Check]:
    """Checks across consecutive years of one issuer (warnings; numbers are never changed).

    carried_over(N) = carried_forward(N−1) on every Table-3 column; 2021+ in-force continuity
    in_force(N) = in_force(N−1) + issued(N) − repealed(N); 2019–2020 item continuity
    prev_year_items(N) = prev_year_items(N−1) + items_change(N−1).
    """
    by_issuer: dict[str, dict[int, Report]] = defaultdict(dict)
    for r in reports:
        if r.issuer and r.year is not None:
            by_issuer[r.issuer][r.year] = r
    out: list[Check] = []
    for issuer, years in by_issuer.items():
        for year in sorted(years):
            prev, cur = years.get(year - 1), years[year]
            if prev is None:
                continue
            tag = f"{issuer} {year - 1}→{year}"
            for c in (*T3_APPLICANTS, "total"):
                out.append(_cross(
                    f"cross.carry.{c}", f"{c}: 上年结转({year}) = 结转下年({year - 1})",
                    _get(cur, f"table3.carried_over.{c}"), _get(prev, f"table3.carried_forward.{c}"),
                    [f"{year}:table3.carried_over.{c}", f"{year - 1}:table3.carried_forward.{c}"], tag))
            for row in ("regulations", "normative_docs"):
                vals = (_get(cur, f"table2.{row}.in_force"), _get(prev, f"table2.{row}.in_force"),
                        _get(cur, f"table2.{row}.issued"), _get(cur, f"table2.{row}.repealed"))
                right = None if any(v is None for v in vals[1:]) else vals[1] + vals[2] - vals[3]  # type: ignore[operator]
                out.append(_cross(
                    f"cross.in_force.{row}", f"{row}: 现行有效({year}) = 现行有效({year - 1}) + 制发 − 废止",
                    vals[0], right, [f"{year}:table2.{row}.in_force", f"{year - 1}:table2.{row}.in_force",
                                     f"{year}:table2.{row}.issued", f"{year}:table2.{row}.repealed"], tag))
            for row in T2_ITEM_ROWS:
                p_items, p_change = _get(prev, f"table2.{row}.prev_year_items"), _get(prev, f"table2.{row}.items_change")
                right = None if p_items is None or p_change is None else p_items + p_change
                out.append(_cross(
                    f"cross.items.{row}", f"{row}: 上一年项目数量({year}) = 上一年项目数量({year - 1}) + 本年增/减({year - 1})",
                    _get(cur, f"table2.{row}.prev_year_items"), right,
                    [f"{year}:table2.{row}.prev_year_items", f"{year - 1}:table2.{row}.prev_year_items",
                     f"{year - 1}:table2.{row}.items_change"], tag))
    return [c for c in out if c.status != "not_assessable"]


def _cross(cid: str, rule: str, left: Number | None, right: Number | None, keys: list[str], tag: str) -> Check:
    if left is None or right is None:
        return Check(id=cid, rule=rule, status="not_assessable", keys=keys, severity="warning", message=tag)
    ok = abs(float(left) - float(right)) < EPS
    return Check(id=cid, rule=rule, status="pass" if ok else "fail", left=left, right=right,
                 delta=_num(float(left) - float(right)), keys=keys, severity="warning",
                 cause=None if ok else "cross_report", message=f"{tag}: " + ("holds" if ok else "differs"))
