"""Prose facts on self-written report text and its traditional twin (the rule layer and the pipeline)."""

from __future__ import annotations

import pytest

from nianbao.io.readers import read_bytes
from nianbao.pipeline import process
from nianbao.schema import Report
from nianbao.stages.facts import extract_facts

REPORT = """某县人民政府2022年政府信息公开工作年度报告
一、总体情况
2022年,本县全年主动公开政府信息5230余条,发布规范性文件14件。围绕重点政策发布政策解读材料36篇。
全年共召开新闻发布会9场。政务微博和微信公众号分别发布1820条和964条,微博粉丝数量超过3.2万。
全年共收到政府信息公开申请27件,办结27件,答复率100%。
4月,在县委党校举办了一期政务公开业务培训;10月,对各乡镇信息员进行了一次集中培训,参训人员超过260人次。
全年共检查政府网站和政务新媒体6次,发现并整改问题31个。
二、主动公开政府信息情况
规章	0	0	3
信息内容	本年制发件数	本年废止件数	现行有效件数
五、存在的主要问题及改进情况
下一步将举办两期专题培训。
六、其他需要报告的事项
本年度未收取信息处理费。
"""

EXPECTED = [
    ("narrative.proactive.items_total", 5230, "approx"),
    ("narrative.proactive.policy_docs", 14, "exact"),
    ("narrative.interpretation.items", 36, "exact"),
    ("narrative.press_conferences", 9, "exact"),
    ("narrative.platform.weibo_posts", 1820, "exact"),
    ("narrative.platform.wechat_posts", 964, "exact"),
    ("narrative.platform.weibo_followers", 32000, "at_least"),
    ("narrative.requests.received", 27, "exact"),
    ("narrative.requests.completed", 27, "exact"),
    ("narrative.requests.response_rate_pct", 100, "exact"),
    ("narrative.training.sessions", 1, "exact"),
    ("narrative.training.sessions", 1, "exact"),
    ("narrative.training.participants", 260, "at_least"),
    ("narrative.supervision.checks", 6, "exact"),
    ("narrative.supervision.issues_rectified", 31, "exact"),
    ("narrative.fees.info_processing_fee_yuan", 0, "exact"),
]


def _run(text: str) -> Report:
    return process(read_bytes(text.encode("utf-8"), "<fixture>", ".txt"), skip=("themes", "merge"))


def _triples(report: Report) -> list[tuple[str, float, str]]:
    return [(f.metric, f.value, f.qualifier) for f in report.facts]  # type: ignore[misc]


def test_fixture_facts() -> None:
    report = _run(REPORT)
    assert _triples(report) == EXPECTED
    for fact in report.facts:
        assert REPORT[fact.start:fact.end] == fact.raw
        assert fact.raw and fact.text


def test_table_rows_and_plans_are_not_facts() -> None:
    report = _run(REPORT)
    for f in report.facts:
        line_start = REPORT.rfind("\n", 0, f.start) + 1
        assert "|" not in REPORT[line_start:REPORT.find("\n", f.end)]
    assert not any(f.value == 2 and f.metric == "narrative.training.sessions" for f in report.facts)
    assert not any(f.value == 3 and f.unit is None for f in report.facts)


def test_sections_are_attached_when_segment_runs() -> None:
    report = _run(REPORT)
    if not report.sections:
        pytest.skip("segment stage not available")
    by_metric = {f.metric: f.section for f in report.facts}
    assert by_metric["narrative.proactive.items_total"] == "overview"
    assert by_metric["narrative.fees.info_processing_fee_yuan"] == "other"


def test_traditional_twin_gives_same_facts_with_own_offsets() -> None:
    import opencc

    twin = opencc.OpenCC("s2t").convert(REPORT)
    assert twin != REPORT
    simp, trad = _run(REPORT), _run(twin)
    assert _triples(trad) == _triples(simp)
    for f in trad.facts:
        assert twin[f.start:f.end] == f.raw
    assert any(twin[f.start:f.end] != REPORT[f.start:f.end] for f in trad.facts if f.value == 0)


def test_entities_have_offsets_into_document_text() -> None:
    report = _run(REPORT)
    labels = {e.label for e in report.entities}
    assert {"PLATFORM", "QUANTITY", "DATE"} <= labels
    for e in report.entities:
        assert REPORT[e.start:e.end] == e.text
    assert any(e.label == "PLATFORM" and e.text == "政务新媒体" for e in report.entities)


def test_enumeration_with_fenbie() -> None:
    text = "全年微博、微信分别发布信息300条、200条"
    got = [(k, q.value) for k, q in extract_facts(text)]
    assert got == [("narrative.platform.weibo_posts", 300), ("narrative.platform.wechat_posts", 200)]


def test_zero_statement_names_both_review_and_litigation() -> None:
    text = "本年度没有发生因政府信息公开申请引起的行政复议和行政诉讼。"
    keys = sorted(k for k, q in extract_facts(text) if q.value == 0)
    assert keys == ["narrative.litigation.count", "narrative.review.count"]


def _pairs(text: str) -> list[tuple[str, float]]:
    return [(k, q.value) for k, q in extract_facts(text)]


def test_zero_statement_listing_several_objects() -> None:
    """未收到申请公开、行政复议… speaks about requests too; 行政复议申请 alone does not."""
    keys = sorted(k for k, _ in _pairs("本单位未收到以申请公开、行政复议、行政诉讼、投诉举报等方面的申请。"))
    assert keys == ["narrative.complaints.count", "narrative.litigation.count", "narrative.requests.received",
                    "narrative.review.count"]
    assert [k for k, _ in _pairs("全年未收到有关政府信息公开的行政复议申请。")] == ["narrative.review.count"]


def test_request_outcomes_in_old_units_and_channels() -> None:
    text = ("全年共收到公开申请9条,其中网上申请数6条,信函申请数3条;对申请的答复总数9条,其中同意公开答复数7条,"
            "其它公开答复数1条,免于公开答复数1条。")
    assert _pairs(text) == [
        ("narrative.requests.received", 9), ("narrative.other", 6), ("narrative.other", 3),
        ("narrative.requests.completed", 9), ("narrative.requests.granted", 7),
        ("narrative.requests.other_outcome", 1), ("narrative.requests.denied", 1)]


def test_completion_verb_before_a_trailing_application_word() -> None:
    """办理…N项依申请公开事项 is handled requests; a count carried into next year is not completed."""
    assert _pairs("全年共办理上级网站转来的4项依申请公开事项。") == [("narrative.requests.completed", 4)]
    assert _pairs("全年共收到申请12件,已办结11件,1件结转下年度办理。") == [
        ("narrative.requests.received", 12), ("narrative.requests.completed", 11),
        ("narrative.requests.carried_forward", 1)]


def test_channel_subcounts_versus_total() -> None:
    text = ("全年通过网站或其他渠道主动公开政府信息120条,其中政府网站公开政府信息数70条,政务微博20条,"
            "政务微信公开信息数18条,以其他方式公开12条。")
    assert _pairs(text) == [
        ("narrative.proactive.items_total", 120), ("narrative.platform.website_posts", 70),
        ("narrative.platform.weibo_posts", 20), ("narrative.platform.wechat_posts", 18),
        ("narrative.proactive.category_items", 12)]
    assert _pairs("今年在政府门户网站公开政府信息800余条。") == [("narrative.proactive.items_total", 800)]


def test_out_of_scope_numbers() -> None:
    """Service statistics, cues inside titles, plans under a plan heading, idioms with Chinese numerals."""
    assert _pairs("今年共受理审批事项40件,办结38件,办结率100%。") == []
    assert _pairs("制定《依申请公开办理规定》,明确受理、拟办、答复、归档等6个工作流程。") == [("narrative.other", 6)]
    assert _pairs("2024年工作打算:\n(一)加强培训。拟举办一期全县业务培训班,提升能力。") == []
    assert _pairs("将信息公开工作作为一项重点工作来抓,确保申请渠道畅通。") == []


def test_staff_counts_and_staff_zero() -> None:
    text = "我局没有专职人员,从事信息公开工作兼职人员3人。指定2位工作人员为信息公开专职人员。"
    assert _pairs(text) == [("narrative.staffing.dedicated_staff", 0), ("narrative.staffing.part_time_staff", 3),
                            ("narrative.staffing.dedicated_staff", 2)]
