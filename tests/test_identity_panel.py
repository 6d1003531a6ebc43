"""The panel across years (#14): reports of one body lined up by issuer_id, harmonised series with provenance,
cross-year checks; self-written reports, and the Pingtan / 洪泽区 series when ../shared is present."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.pipeline import extract
from nianbao.present import panel
from nianbao.schema import Cell, Identity, Report

ID = Identity(issuer_id="330381:政府", name="瑞安市人民政府", division_code="330381", level="county",
              kind="government")


def _report(year: int, over: int | None, fwd: int | None, received: int = 10) -> Report:
    tables = {"table3.new_requests.total": Cell(value=received, start=1, end=3)}
    if over is not None:
        tables["table3.carried_over.total"] = Cell(value=over)
    if fwd is not None:
        tables["table3.carried_forward.total"] = Cell(value=fwd)
    return Report(source=f"ra{year}.txt", issuer=ID.name, identity=ID, year=year, format_id="gov_2021", tables=tables)


def _legacy(year: int, annual: int, total: int) -> Report:
    return Report(source=f"old{year}.txt", issuer=ID.name, identity=ID, year=year, format_id="legacy_2008",
                  legacy_stats=[{"label": "受理依申请公开信息总数", "column": f"{year}年度", "value": annual},
                                {"label": "受理依申请公开信息总数", "column": "历年累计", "value": total}])


def test_carried_over_must_equal_previous_carried_forward() -> None:
    checks = panel.cross_year_checks([_report(2022, 0, 3), _report(2023, 3, 0), _report(2024, 1, 0)])
    by_year = {c.id.rsplit(".", 1)[1]: c for c in checks}
    assert by_year["2023"].status == "pass" and by_year["2023"].cause == "cross_year"
    assert by_year["2024"].status == "fail" and by_year["2024"].delta == 1
    assert by_year["2024"].severity == "warning"


def test_gap_years_are_not_compared() -> None:
    assert panel.cross_year_checks([_report(2019, 0, 2), _report(2021, 5, 0)]) == []


def test_legacy_running_total_equals_previous_plus_this_year() -> None:
    good = panel.cross_year_checks([_legacy(2012, 4, 20), _legacy(2013, 5, 25)])
    bad = panel.cross_year_checks([_legacy(2012, 4, 20), _legacy(2013, 5, 30)])
    assert [c.status for c in good] == ["pass"] and [c.status for c in bad] == ["fail"]


def test_series_values_carry_provenance_and_quality() -> None:
    rows = panel.rows([_report(2022, 0, 0, received=7), _legacy(2012, 4, 20)])
    got = {(r["year"], r["variable"]): r for r in rows}
    assert got[(2022, "requests_received")]["value"] == 7
    assert got[(2022, "requests_received")]["quality"] == "table"
    assert got[(2022, "requests_received")]["source"] == "table3.new_requests.total"
    assert got[(2012, "requests_received")]["value"] == 4  # the year column, not the running total
    assert got[(2012, "requests_received")]["quality"] == "legacy_table"
    assert got[(2012, "reviews")]["quality"] == "missing"
    assert panel.series([_report(2022, 0, 0, received=7)]) == {
        "330381:政府": {"requests_received": {2022: 7}, "carried_over": {2022: 0}, "carried_forward": {2022: 0}}}


def test_two_years_of_one_body_link_and_compare(tmp_path: Path) -> None:
    a = tmp_path / "y2022.txt"
    b = tmp_path / "y2023.txt"
    a.write_text("临海市人民政府2022年政府信息公开工作年度报告\n一、总体情况\n全年公开信息。\n", encoding="utf-8")
    b.write_text("临海市政府2023年政府信息公开工作年度报告\n一、总体情况\n全年公开信息。\n", encoding="utf-8")
    ra, rb = extract(a), extract(b)
    assert ra.identity is not None and rb.identity is not None
    assert ra.identity.issuer_id == rb.identity.issuer_id
    assert [r["year"] for r in panel.compare_table([ra, rb])] == [2022, 2023]
    out = subprocess.run([sys.executable, "-m", "nianbao.cli", "compare", str(tmp_path), "--json"],
                         capture_output=True, text=True, check=True).stdout
    obj = json.loads(out)
    assert {r["year"] for r in obj["rows"]} == {2022, 2023}
    text = subprocess.run([sys.executable, "-m", "nianbao.cli", "compare", str(a), str(b)],
                          capture_output=True, text=True, check=True).stdout
    assert "临海市人民政府" in text and "2023" in text


PINGTAN_ZONE = ["r004", "r007", "r009", "r011", "r013", "r014", "r015", "r016", "r018", "r019", "r021", "r022"]


@pytest.mark.shared
def test_pingtan_and_hongze_series_are_linked() -> None:
    from nianbao.resources import shared_doc_path

    if shared_doc_path("r002") is None:
        pytest.skip("shared reference folder not present")
    zone = [extract(shared_doc_path(d)) for d in PINGTAN_ZONE]  # type: ignore[arg-type]
    ids = {r.identity.issuer_id for r in zone if r.identity}
    assert len(ids) == 1 and all(r.identity for r in zone)
    assert [r.year for r in zone] == [2011, 2012, 2013, 2014, 2016, 2017, 2018, 2019, 2021, 2022, 2024, 2025]
    county = [extract(shared_doc_path(d)) for d in ("r005", "r006", "r008")]  # type: ignore[arg-type]
    assert len({r.identity.issuer_id for r in county if r.identity}) == 1
    assert ids.isdisjoint({r.identity.issuer_id for r in county if r.identity})
    hz = [extract(shared_doc_path(d)) for d in ("r002", "r003")]  # type: ignore[arg-type]
    assert hz[0].identity and hz[1].identity and hz[0].identity.issuer_id == hz[1].identity.issuer_id
    checks = panel.cross_year_checks(zone + county + hz)
    assert any(c.rule.startswith("2024 上年结转") and c.status == "pass" for c in checks)
    assert any(c.rule.startswith("2022 上年结转") and c.status == "pass" for c in checks)
    assert sum(c.status == "pass" for c in checks) >= 20
    received = panel.series(zone)[next(iter(ids))]["requests_received"]
    assert {2021, 2022} <= set(received)
