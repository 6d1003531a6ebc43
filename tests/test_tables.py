"""Tables 2/3/4 from every layout (synthetic fixtures written for the tests) and the checks stage."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tables_fixtures as F
from nianbao import checks, tables
from nianbao.checks import cross_report_checks
from nianbao.context import Context
from nianbao.normalise import normalise
from nianbao.readers import read_bytes
from nianbao.schema import Cell, Report
from nianbao.tables.rows import fit
from nianbao.tables.spec import all_keys, catalogue
from nianbao.tables.tokens import Tok, text_tokens

LAYOUTS = ["cell_per_line", "pipe", "tsv", "markdown", "html", "docx"]


def _parse(data: bytes, suffix: str, year: int | None = None) -> tuple[Report, str]:
    doc = read_bytes(data, f"fixture{suffix}", suffix)
    ctx = Context(doc=doc, norm=normalise(doc.text), report=Report(source="fixture", year=year))
    tables.run(ctx)
    checks.run(ctx)
    return ctx.report, doc.text


def _wrong(report: Report, values: F.Values) -> dict[str, tuple[object, object]]:
    return {k: (report.tables[k].value if k in report.tables else "<missing>", x)
            for k, x in values.items() if k not in report.tables or report.tables[k].value != x}


@pytest.mark.parametrize("traditional", [False, True], ids=["simplified", "traditional"])
@pytest.mark.parametrize("fmt", ["gov_2019", "gov_2021"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_cell_recovered(layout: str, fmt: str, traditional: bool) -> None:
    values = F.make_values(fmt)
    report, text = _parse(*F.render(layout, fmt, values, traditional))
    assert report.meta["tables_format"] == fmt
    assert _wrong(report, values) == {}
    assert set(all_keys(fmt)) <= set(report.tables)
    blank = report.tables["table3.granted.research_institution"]
    assert (blank.value, blank.status) == (None, "blank")  # printed empty: not 0, not absent
    assert [c.id for c in report.checks if c.status == "fail"] == []
    assert any(c.status == "assumed_zero" for c in report.checks)
    for key, cell in report.tables.items():  # every value cites its digits in Document.text
        if cell.status == "ok" and cell.value is not None and layout != "docx":
            assert text[cell.start:cell.end].replace(",", "") == cell.raw, key


@pytest.mark.parametrize("traditional", [False, True], ids=["simplified", "traditional"])
@pytest.mark.parametrize("fmt", ["gov_2019", "gov_2021"])
def test_run_together_reconstructed(fmt: str, traditional: bool) -> None:
    values = F.make_values(fmt, seed=11, blanks=False)
    report, _ = _parse(*F.render("run_together", fmt, values, traditional))
    for key, truth in values.items():
        cell = report.tables[key]
        if key.startswith(("table3.", "table4.")):
            assert cell.value == truth, key  # identities leave one split
        else:
            assert cell.value == truth or truth in (cell.candidates or []), key
            assert cell.status in ("ok", "ambiguous")
    assert [c.id for c in report.checks if c.status == "fail"] == []


@pytest.mark.parametrize("fmt", ["gov_2019", "gov_2021"])
def test_skeleton_is_blank_not_zero(fmt: str) -> None:
    report, _ = _parse(*F.render("skeleton", fmt, F.make_values(fmt)))
    for key in all_keys(fmt):
        cell = report.tables[key]
        assert cell.value is None and cell.status == "blank", (key, cell)
    assert report.checks and all(c.status == "not_assessable" for c in report.checks)


def test_unbalanced_table_fails_as_source_inconsistency() -> None:
    values = F.make_values("gov_2021")
    values["table3.results_total.natural_person"] = (values["table3.results_total.natural_person"] or 0) + 1
    values["table3.results_total.total"] = (values["table3.results_total.total"] or 0) + 1
    report, _ = _parse(*F.render("pipe", "gov_2021", values))
    assert report.tables["table3.results_total.total"].value == values["table3.results_total.total"]  # not fixed
    failed = {c.id: c for c in report.checks if c.status == "fail"}
    assert set(failed) == {"table3.results_sum.natural_person", "table3.results_sum.total",
                           "table3.balance.natural_person", "table3.balance.total"}
    assert all(c.cause == "source_inconsistency" and abs(c.delta or 0) == 1 for c in failed.values())


def test_2021_report_printing_other_as_one_row() -> None:
    """(六)其他处理 printed as one row in a 2021 table: read as `other`, its three sub-rows absent."""
    v19 = F.make_values("gov_2019")
    v21 = F.make_values("gov_2021")
    bl = F.blocks("gov_2021", v21)
    bl[6] = F.table3_spans("gov_2019", v19)
    report, _ = _parse(F._text_doc(bl, F.render_pipe).encode(), ".txt")
    assert report.meta["tables_format"] == "gov_2021"
    for c in F.T3_COLS:
        assert report.tables[f"table3.other.{c}"].value == v19[f"table3.other.{c}"]
        assert report.tables[f"table3.other_misc.{c}"].status == "absent"
    assert not [c for c in report.checks if c.status == "fail" and c.id.startswith("table3")]


def test_prose_mentions_do_not_move_the_tables() -> None:
    values = F.make_values("gov_2021")
    bl = F.blocks("gov_2021", values)
    bl.insert(2, "全年本年新收申请3件，上年结转1件，予以公开2件，不予公开1件，无法提供0件，行政许可5项，行政处罚9件。")
    report, _ = _parse(F._text_doc(bl, F.render_tsv).encode(), ".txt")
    assert _wrong(report, values) == {}


def test_fit_trims_placeholders_and_splits_digit_runs() -> None:
    def toks(*cells: str) -> list[Tok]:
        return [Tok("blank" if not c else "num", c, 0, len(c), 0) for c in cells]

    f = fit(toks("", "3", "0", "0", "0", "0", "0", "3", "", ""), 7, ((tuple(range(6)), 6),))
    assert [p.raw for p in f.viable[0]] == ["3", "0", "0", "0", "0", "0", "3"] and f.status == "ok"
    f = fit(toks("640020470"), 7, ((tuple(range(6)), 6),))
    assert [p.raw for p in f.viable[0]] == ["64", "0", "0", "2", "0", "4", "70"] and f.status == "ok"
    cols = ("new_made", "new_published", "total_published")
    f = fit(toks("7777166"), 3, (), cols, (("equal", "new_made", "new_published"),))
    assert [p.raw for p in f.viable[0]] == ["77", "77", "166"] and f.status == "ambiguous"
    assert fit(toks("5", "5"), 7, ((tuple(range(6)), 6),)).status == "unparsable"


def test_cross_report_checks() -> None:
    def rep(year: int, carried_over: int, forward: int, in_force: int, issued: int, repealed: int) -> Report:
        r = Report(source=str(year), issuer="某县人民政府", year=year, format_id="gov_2021")
        r.tables = {"table3.carried_over.total": Cell(value=carried_over), "table3.carried_forward.total": Cell(value=forward),
                    "table2.normative_docs.in_force": Cell(value=in_force),
                    "table2.normative_docs.issued": Cell(value=issued), "table2.normative_docs.repealed": Cell(value=repealed)}
        return r

    out = cross_report_checks([rep(2022, 0, 3, 50, 10, 2), rep(2023, 2, 0, 58, 9, 1), rep(2025, 0, 0, 1, 1, 1)])
    by_id = {c.id: c for c in out}
    assert by_id["cross.carry.total"].status == "fail" and by_id["cross.carry.total"].cause == "cross_report"
    assert (by_id["cross.carry.total"].left, by_id["cross.carry.total"].right) == (2, 3)
    assert by_id["cross.in_force.normative_docs"].status == "pass"  # 50 + 9 − 1 = 58
    assert len(out) == 2  # 2025 has no 2024 neighbour; unknown keys are not reported


_APPS = st.one_of(st.none(), st.integers(min_value=0, max_value=400))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.booleans(), st.lists(_APPS, min_size=6, max_size=6)), min_size=23, max_size=23),
       layout=st.sampled_from(["pipe", "tsv", "cell_per_line"]), pad=st.integers(min_value=0, max_value=2))
def test_row_parser_property(rows: list[tuple[bool, list[int | None]]], layout: str, pad: int) -> None:
    """Random subsets of Table-3 rows with random blanks: every printed cell comes back in place."""
    spec = catalogue()["table3"]
    catalogue_rows = [r for r in spec.rows_for("gov_2019") if not spec.optional_row(r, "gov_2019")]  # subtotal rows: derived
    lines = ["三、收到和处理政府信息公开申请情况", "（本列勾稽关系：一加二等于三加四）", "申请人情况"]
    truth: dict[str, int | None] = {}
    labels = {k: label for _g, label, k in F.t3_rows("gov_2019")}
    for (keep, apps), row in zip(rows, catalogue_rows, strict=True):
        if not keep:
            continue
        cells = [*apps, sum(a or 0 for a in apps)]
        for c, x in zip(F.T3_COLS, cells, strict=True):
            truth[f"table3.{row.key}.{c}"] = x
        texts = ["" if x is None else str(x) for x in cells]
        if layout == "pipe":
            lines.append(" | ".join([labels[row.key], *texts]))
        elif layout == "tsv":
            lines.append("\t".join([labels[row.key], *[""] * pad, *texts, *[""] * pad]))
        else:
            lines += [f"{labels[row.key]} |", *[f"{t} |" if t else "|" for t in texts], "||"]
    text = "\n".join(lines)
    norm = normalise(text)
    doc = read_bytes(text.encode(), "p.txt", ".txt")
    ctx = Context(doc=doc, norm=norm, report=Report(source="p"))
    cells = tables.parse_table(spec, "gov_2019", text_tokens(ctx, 0, len(norm.text)))
    for key, x in truth.items():
        assert cells[key].value == x, (key, cells[key])
        assert cells[key].status == ("blank" if x is None else "ok")
    for key, cell in cells.items():
        if key not in truth:
            assert cell.status == "absent"
