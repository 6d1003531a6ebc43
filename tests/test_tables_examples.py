"""Every table cell of the bundled examples (examples/expected/*.json) through the whole pipeline.

The expected JSON lists each cell of Tables 2/3/4 (null = printed blank); the examples cover TAB,
GBK cell-per-line, traditional pipes, markdown, portal HTML, PDF and DOCX layouts. Target: 100%.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from nianbao.pipeline import extract
from nianbao.schema import Report

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXPECTED = sorted((EXAMPLES / "expected").glob("*.json"))


@cache
def _report(name: str) -> Report:
    return extract(EXAMPLES / name)


def _expected(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text(encoding="utf-8"))


def _same(got: object, want: object) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return abs(float(got) - float(want)) < 1e-6  # type: ignore[arg-type]


@pytest.mark.parametrize("path", EXPECTED, ids=[p.name.removesuffix(".json") for p in EXPECTED])
def test_every_cell_of_the_example(path: Path, examples_dir: Path) -> None:
    exp = _expected(path)
    report = _report(exp["file"])
    cells = exp["tables"]
    wrong: dict[str, tuple[object, object, str]] = {}
    for key, want in cells.items():
        cell = report.tables.get(key)
        got = cell.value if cell is not None else "<missing>"
        status = cell.status if cell is not None else "<missing>"
        # null = printed blank: no value, and status blank (never 0, never absent)
        ok = _same(got, want) and (status == "blank" if want is None else status == "ok")
        if not ok:
            wrong[key] = (got, want, status)
    n = len(cells)
    print(f"{exp['file']}: {n - len(wrong)}/{n} cells" + (f" = {(n - len(wrong)) / n:.1%}" if n else ""))
    assert wrong == {}, dict(list(wrong.items())[:12])
    if exp["format_id"] in ("gov_2019", "gov_2021"):
        assert report.meta.get("tables_format") == exp["format_id"]
    else:
        assert not [k for k, c in report.tables.items() if c.status not in ("absent",)], "tables read from a legacy report"


@pytest.mark.parametrize("path", EXPECTED, ids=[p.name.removesuffix(".json") for p in EXPECTED])
def test_checks_fail_only_where_the_example_is_unbalanced(path: Path, examples_dir: Path) -> None:
    exp = _expected(path)
    report = _report(exp["file"])
    failed = {c.id: c for c in report.checks if c.status == "fail" and c.id.startswith(("table", "cross"))}
    if not exp["unbalanced"]:
        assert failed == {}
        return
    assert failed, "an unbalanced example must fail its checks"
    assert all(c.cause == "source_inconsistency" for c in failed.values()), failed


def test_unbalanced_total_is_read_as_printed(examples_dir: Path) -> None:
    """2020_xian_gbk prints (七)总计 = 28 while its parts add up to 27: keep 28, fail the checks."""
    report = _report("2020_xian_gbk.txt")
    assert report.tables["table3.results_total.total"].value == 28
    assert report.tables["table3.results_total.total"].status == "ok"
    failed = {c.id: c for c in report.checks if c.status == "fail" and c.id.startswith("table")}
    assert set(failed) == {"table3.row_total.results_total", "table3.results_sum.total", "table3.balance.total"}
    assert (failed["table3.results_sum.total"].left, failed["table3.results_sum.total"].right) == (28, 27)
    assert all(c.cause == "source_inconsistency" for c in failed.values())


def test_procurement_amount_in_wan_yuan_is_converted(examples_dir: Path) -> None:
    """采购总金额/万元 in the header: the value goes to 元, ``unit`` keeps what was printed."""
    cell = _report("2020_traditional.txt").tables["table2.central_procurement.amount_yuan"]
    assert (cell.value, cell.raw, cell.unit, cell.status) == (9864500, "986.45", "万元", "ok")
    cell = _report("2020_xian_gbk.txt").tables["table2.central_procurement.amount_yuan"]
    assert (cell.value, cell.unit) == (18650000, "元")


def test_blank_regulations_row_stays_blank(examples_dir: Path) -> None:
    """A 规章 row printed without any cell must not take the 行政规范性文件 values below it."""
    t = _report("2021_shi_shuiwuju.txt").tables
    assert [t[f"table2.regulations.{c}"].status for c in ("issued", "repealed", "in_force")] == ["blank"] * 3
    assert [t[f"table2.normative_docs.{c}"].value for c in ("issued", "repealed", "in_force")] == [5, 1, 23]


@pytest.mark.parametrize("path", EXPECTED, ids=[p.name.removesuffix(".json") for p in EXPECTED])
def test_derived_keys_are_sums_of_the_cells(path: Path, examples_dir: Path) -> None:
    exp = _expected(path)
    if exp["format_id"] not in ("gov_2019", "gov_2021"):
        return
    t = _report(exp["file"]).tables
    cells = exp["tables"]

    def val(key: str) -> float:
        return cells[key] or 0

    for key, cell in t.items():
        if cell.status != "derived":
            continue
        _, row, col = key.split(".", 2)
        if key == "table4.litigation.total":
            want = val("table4.litigation_direct.total") + val("table4.litigation_after_review.total")
        elif col == "legal_entity_subtotal":
            org = ("commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org")
            want = sum(_subrow(cells, row, c) for c in org)
        else:
            want = _subrow(cells, row, col)
        assert cell.value is not None and _same(cell.value, want), (key, cell.value, want)
    assert t["table4.litigation.total"].status == "derived"
    assert t["table3.denied_subtotal.total"].status == "derived"
    if exp["format_id"] == "gov_2021":
        assert t["table3.other.total"].status == "derived"


_GROUPS = {"denied_subtotal": "denied_", "unable_subtotal": "unable_", "not_processed_subtotal": "not_processed_",
           "other": "other_"}


def _subrow(cells: dict[str, float | None], row: str, col: str) -> float:
    """Expected value of (row, col) from the example's printed cells (summing sub-rows for groups)."""
    if f"table3.{row}.{col}" in cells:
        return cells[f"table3.{row}.{col}"] or 0
    prefix = _GROUPS[row]
    return sum(v or 0 for k, v in cells.items()
               if k.startswith(f"table3.{prefix}") and k.endswith(f".{col}") and k.split(".")[1] != row)
