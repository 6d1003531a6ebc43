"""Merge stage: prose facts vs table cells, on Reports built directly from the schema."""

from __future__ import annotations

import re

import pytest

import synthetic_report as synth
from nianbao.resources import load_yaml
from nianbao.schema import Cell, Document, Fact, Report
from nianbao.stages import merge
from nianbao.stages.context import Context
from nianbao.stages.normalise import normalise


def _report(text: str, cells: dict[str, int | float | None], facts: list[tuple[str, float, str, str]],
            statuses: dict[str, str] | None = None) -> Report:
    """A report over ``text``; facts are (metric, value, raw-as-in-text, qualifier), located by raw."""
    statuses = statuses or {}
    tables = {k: Cell(value=v, raw=None if v is None else str(v), status=statuses.get(k, "ok" if v is not None else "blank"))
              for k, v in cells.items()}
    fs = []
    pos = 0
    for metric, value, raw, q in facts:
        s = text.index(raw, pos)
        pos = s + len(raw)
        fs.append(Fact(metric=metric, value=value, raw=raw, qualifier=q, start=s, end=s + len(raw)))  # type: ignore[arg-type]
    return Report(source="t", tables=tables, facts=fs)


def _run(r: Report, text: str) -> Report:
    doc = Document(source="t", media_type="text", text=text)
    merge.run(Context(doc=doc, norm=normalise(text), report=r))
    return r


def _checks(r: Report, metric: str) -> list:
    return [c for c in r.checks if c.id == f"merge.{metric}"]


def test_seed_like_double_statement_conflicts_and_lists_all_evidence() -> None:
    text = "共收到申请42件,已全部办结。另有2件申请当面答复。"
    r = _run(_report(text, {"table3.new_requests.total": 42},
                     [("narrative.requests.received", 42, "42件", "exact"),
                      ("narrative.requests.received", 2, "2件", "exact")]), text)
    m = r.merged["narrative.requests.received"]
    assert m.source == "both" and m.conflict
    assert m.table_value == 42 and m.value == 42 and m.prose_value == 2
    assert m.evidence[:2] == [(text.index("42件"), text.index("42件") + 3), (text.index("2件", 9), text.index("2件", 9) + 2)]
    (c,) = _checks(r, "narrative.requests.received")
    assert (c.status, c.cause, c.severity) == ("fail", "text_vs_table", "warning")
    assert (c.left, c.right, c.delta) == (2, 42, -40)


def test_one_office_share_is_another_scope_not_a_conflict() -> None:
    """One statement agrees with the table; the other names one office (全办) and speaks of another scope."""
    text = "共收到申请42件,已全部办结。全办共受理申请2件。"
    r = _run(_report(text, {"table3.new_requests.total": 42},
                     [("narrative.requests.received", 42, "42件", "exact"),
                      ("narrative.requests.received", 2, "2件", "exact")]), text)
    m = r.merged["narrative.requests.received"]
    assert m.source == "both" and not m.conflict
    assert m.table_value == 42 and m.value == 42 and m.prose_value == 42
    assert m.table_key == "table3.new_requests.total"
    assert m.evidence[:2] == [(text.index("42件"), text.index("42件") + 3), (text.index("2件", 9), text.index("2件", 9) + 2)]
    (c,) = _checks(r, "narrative.requests.received")
    assert (c.status, c.cause) == ("pass", None)
    assert "2件 taken as another scope" in c.message


def test_double_statement_that_the_table_contradicts_twice_conflicts() -> None:
    text = "共收到申请40件。全年受理申请41件。"
    r = _run(_report(text, {"table3.new_requests.total": 42},
                     [("narrative.requests.received", 40, "40件", "exact"),
                      ("narrative.requests.received", 41, "41件", "exact")]), text)
    (c,) = _checks(r, "narrative.requests.received")
    assert (c.status, c.cause, c.severity) == ("fail", "text_vs_table", "warning")
    assert (c.left, c.right, c.delta) == (40, 42, -2)
    assert c.keys == ["narrative.requests.received", "table3.new_requests.total"]


def test_parts_and_unrelated_counts_yield_to_totals_and_zero_statements() -> None:
    """A part (part_of set) yields to its total; an explicit zero outranks a count of the same key."""
    text = "共收到申请20件,其中自然人12件。未收到政府信息公开申请。热线收到投诉900件。"
    rep = _report(text, {"table3.new_requests.total": 20},
                  [("narrative.requests.received", 20, "20件", "exact"),
                   ("narrative.requests.received", 12, "12件", "exact")])
    rep.facts[1].part_of = rep.facts[0].start
    m = _run(rep, text).merged["narrative.requests.received"]
    assert (m.prose_value, m.conflict) == (20, False)
    zero = _report(text, {}, [("narrative.requests.received", 900, "900件", "exact")])
    s = text.index("未收到")
    zero.facts.append(Fact(metric="narrative.requests.received", value=0, unit=None, raw=text[s:s + 11],
                           start=s, end=s + 11))
    m = _run(zero, text).merged["narrative.requests.received"]
    assert (m.value, m.source, m.evidence) == (0, "prose", [(s, s + 11)])


def test_agreement_is_a_passing_check() -> None:
    text = "共收到申请42件。"
    r = _run(_report(text, {"table3.new_requests.total": 42}, [("narrative.requests.received", 42, "42件", "exact")]),
             text)
    assert not r.merged["narrative.requests.received"].conflict
    (c,) = _checks(r, "narrative.requests.received")
    assert c.status == "pass" and c.cause is None


@pytest.mark.parametrize(("qualifier", "prose", "raw", "table", "conflict"), [
    ("at_least", 40, "超过40件", 43, False),
    ("at_least", 50, "超过50件", 43, True),
    ("at_most", 50, "不足50件", 43, False),
    ("at_most", 40, "不足40件", 43, True),
    ("approx", 40, "约40件", 43, False),       # within 10 %
    ("approx", 40, "约40件", 45, True),        # 12.5 % off
    ("approx", 10, "10余件", 15, False),       # 余: up to the next round number
    ("approx", 10, "10余件", 25, True),
    ("approx", 4150, "4150余件", 4158, False),
    ("exact", 43, "43件", 43, False),
    ("exact", 43, "43件", 44, True),
])
def test_qualifiers(qualifier: str, prose: int, raw: str, table: int, conflict: bool) -> None:
    text = f"收到申请{raw}。"
    r = _run(_report(text, {"table3.new_requests.total": table}, [("narrative.requests.received", prose, raw, qualifier)]),
             text)
    assert r.merged["narrative.requests.received"].conflict is conflict
    assert [c.status for c in _checks(r, "narrative.requests.received")] == ["fail" if conflict else "pass"]


def test_qualified_and_exact_mix_conflict_only_on_the_contradicted_one() -> None:
    text = "收到申请超过40件。办结43件。"
    r = _run(_report(text, {"table3.new_requests.total": 43},
                     [("narrative.requests.received", 40, "超过40件", "at_least"),
                      ("narrative.requests.received", 43, "43件", "exact")]), text)
    m = r.merged["narrative.requests.received"]
    assert not m.conflict and m.prose_value == 43 and len(m.evidence) == 2


def test_litigation_is_the_sum_of_direct_and_after_review() -> None:
    text = "行政诉讼3件。"
    cells = {"table4.litigation_direct.total": 1, "table4.litigation_after_review.total": 2}
    r = _run(_report(text, cells, [("narrative.litigation.count", 3, "3件", "exact")]), text)
    m = r.merged["narrative.litigation.count"]
    assert (m.value, m.conflict, m.source) == (3, False, "both")
    assert m.table_key == "table4.litigation_direct.total + table4.litigation_after_review.total"
    r2 = _run(_report(text, {"table4.litigation_direct.total": 1, "table4.litigation_after_review.total": None},
                      [("narrative.litigation.count", 3, "3件", "exact")]), text)
    assert r2.merged["narrative.litigation.count"].conflict  # blank part counts 0: 1 ≠ 3
    (c,) = _checks(r2, "narrative.litigation.count")
    assert c.keys == ["narrative.litigation.count", "table4.litigation_direct.total"]


def test_unusable_part_makes_a_sum_unusable_and_blank_alone_is_no_value() -> None:
    text = "行政诉讼3件。"
    r = _run(_report(text, {"table4.litigation_direct.total": 1, "table4.litigation_after_review.total": None},
                     [("narrative.litigation.count", 3, "3件", "exact")],
                     statuses={"table4.litigation_after_review.total": "unparsable"}), text)
    m = r.merged["narrative.litigation.count"]
    assert m.source == "prose" and not m.conflict and m.table_value is None
    assert not _checks(r, "narrative.litigation.count")
    r2 = _run(_report(text, {"table3.new_requests.total": None}, []), text)
    assert "narrative.requests.received" not in r2.merged  # blank cell, no fact: nothing to merge


def test_fee_never_mixes_with_table2_admin_fees() -> None:
    text = "本年度收取信息处理费380元。"
    r = _run(_report(text, {"table2.admin_fees.amount_wan_yuan": 3.5, "table2.admin_fees.items_change": 0},
                     [("narrative.fees.info_processing_fee_yuan", 380, "380元", "exact")]), text)
    m = r.merged["narrative.fees.info_processing_fee_yuan"]
    assert (m.source, m.value, m.table_value, m.table_key, m.conflict) == ("prose", 380, None, None, False)
    assert not r.checks
    # and in the mapping itself, no metric about fees points at Table 2's admin fees
    for metric, spec in load_yaml("merge.yaml")["metrics"].items():
        if "fee" in metric:
            assert not spec.get("table"), metric
        assert "admin_fees" not in repr(spec.get("table")), metric


def test_table_only_and_prose_only() -> None:
    text = "无。"
    r = _run(_report(text, {"table4.review.total": 0, "table3.results_total.total": 7}, []), text)
    assert r.merged["narrative.review.count"].model_dump(include={"value", "source", "table_key"}) == {
        "value": 0, "source": "table", "table_key": "table4.review.total"}
    assert r.merged["narrative.requests.completed"].value == 7
    assert not r.checks


def test_applicant_subcounts_are_not_compared_with_the_total() -> None:
    text = "共收到申请42件,其中自然人申请30件,法人或其他组织申请12件。"
    cells = {"table3.new_requests.total": 42, "table3.new_requests.natural_person": 30,
             "table3.new_requests.commercial_enterprise": 10, "table3.new_requests.other_org": 2}
    r = _run(_report(text, cells, [("narrative.requests.received", 42, "42件", "exact"),
                                   ("narrative.requests.received", 30, "30件", "exact"),
                                   ("narrative.requests.received_by_applicant", 12, "12件", "exact")]), text)
    assert not r.merged["narrative.requests.received"].conflict
    assert len(r.merged["narrative.requests.received"].evidence) == 1
    assert r.merged["narrative.requests.received_natural_person"].model_dump(include={"value", "conflict"}) == {
        "value": 30, "conflict": False}
    le = r.merged["narrative.requests.received_legal_entity"]
    assert (le.value, le.conflict, le.source) == (12, False, "both")


def test_normative_documents_issued_vs_published() -> None:
    text = "本年制发规范性文件4件,公开规范性文件6件,发布政策文件3件。"
    facts = [("narrative.proactive.policy_docs", 4, "4件", "exact"), ("narrative.proactive.policy_docs", 6, "6件", "exact"),
             ("narrative.proactive.policy_docs", 3, "3件", "exact")]
    # 2019: issuing ↔ new_made, publishing ↔ new_published
    r = _run(_report(text, {"table2.normative_docs.new_made": 4, "table2.normative_docs.new_published": 6}, facts), text)
    issued, published = (r.merged[f"narrative.proactive.normative_docs_{k}"] for k in ("issued", "published"))
    assert (issued.conflict, issued.table_key, issued.value, len(issued.evidence)) == (
        False, "table2.normative_docs.new_made", 4, 1)
    assert (published.conflict, published.table_key, published.value) == (False, "table2.normative_docs.new_published", 6)
    # 2021 has no "published" column: a website-publication count is never compared with "issued"
    r2 = _run(_report(text, {"table2.normative_docs.issued": 4}, facts), text)
    assert r2.merged["narrative.proactive.normative_docs_published"].source == "prose"
    assert not r2.merged["narrative.proactive.normative_docs_issued"].conflict
    text3 = "印发行政规范性文件6件。废止规范性文件2件。"
    r3 = _run(_report(text3, {"table2.normative_docs.issued": 5}, [("narrative.proactive.policy_docs", 6, "6件", "exact"),
                                                                   ("narrative.proactive.policy_docs", 2, "2件", "exact")]),
              text3)
    m3 = r3.merged["narrative.proactive.normative_docs_issued"]
    assert m3.conflict and m3.prose_value == 6
    assert m3.evidence == [(text3.index("6件"), text3.index("6件") + 2)]  # the repeal count is not used


def test_granted_may_merge_full_and_partial() -> None:
    text = "予以公开及部分公开30件。"
    r = _run(_report(text, {"table3.granted.total": 25, "table3.partially_granted.total": 5},
                     [("narrative.requests.granted", 30, "30件", "exact")]), text)
    m = r.merged["narrative.requests.granted"]
    assert not m.conflict and m.table_key == "table3.granted.total + table3.partially_granted.total"


def test_traditional_script_context_is_normalised() -> None:
    text = "本年製發規範性文件5件。"  # traditional: 制发规范性文件 after normalisation
    r = _run(_report(text, {"table2.normative_docs.issued": 7}, [("narrative.proactive.policy_docs", 5, "5件", "exact")]),
             text)
    assert r.merged["narrative.proactive.normative_docs_issued"].conflict


def test_boolean_and_null_facts_are_ignored() -> None:
    r = Report(source="t", facts=[Fact(metric="narrative.requests.received", value=True, start=0, end=1),
                                  Fact(metric="narrative.requests.received", value=None, start=0, end=1)])
    merge.merge_report(r)
    assert r.merged == {} and r.checks == []


def test_synthetic_report_end_to_end() -> None:
    r = synth.report()
    m = r.merged["narrative.requests.received"]
    assert m.conflict and m.prose_value == 2 and len([e for e in m.evidence if e in {(f.start, f.end) for f in r.facts}]) == 3
    assert not r.merged["narrative.requests.received_natural_person"].conflict
    assert not r.merged["narrative.review.count"].conflict
    assert not r.merged["narrative.litigation.count"].conflict
    assert r.merged["narrative.requests.completed"].source == "table"
    assert r.merged["narrative.fees.info_processing_fee_yuan"].source == "prose"
    assert not r.merged["narrative.proactive.normative_docs_issued"].conflict
    fails = [c.id for c in r.checks if c.status == "fail"]
    assert fails == ["table3.balance.total", "merge.narrative.requests.received"]


def test_mapping_file_is_well_formed() -> None:
    cfg = merge.parse_settings(load_yaml("merge.yaml"))
    key = re.compile(r"^table[234]\.[a-z_]+\.[a-z_]+$")
    assert len(cfg.rules) >= 15
    for rule in cfg.rules:
        assert rule.metric.startswith("narrative.")
        for alt in rule.table:
            assert all(key.match(k) for k in alt.keys), alt
    with pytest.raises(ValueError):
        merge.parse_settings({"metrics": {"narrative.x": {"table": [{"sum": []}]}}})
    with pytest.raises(ValueError):
        merge.parse_settings({"metrics": {"narrative.x": {"table": ["table3.a.b"], "match": "best"}}})


def test_clause() -> None:
    t = "共收到申请42件,其中自然人申请30件;办结40件。"
    s = t.index("30件")
    assert merge.clause(t, s, s + 3) == "其中自然人申请30件"


def test_negative_context_covers_the_whole_enumeration() -> None:
    text = "全年共解读常务会议14次、规范性文件31件。制发规范性文件2篇、政策文件3篇。"
    facts = [("narrative.proactive.policy_docs", 31, "31件", "exact"), ("narrative.proactive.policy_docs", 2, "2篇", "exact"),
             ("narrative.proactive.policy_docs", 3, "3篇", "exact")]
    r = _run(_report(text, {"table2.normative_docs.issued": 2}, facts), text)
    m = r.merged["narrative.proactive.normative_docs_issued"]
    assert not m.conflict and m.evidence[0] == (text.index("2篇"), text.index("2篇") + 2)
    assert len([e for e in m.evidence if e[0] < len(text) and text[e[0]:e[1]] in ("31件", "2篇", "3篇")]) == 1
