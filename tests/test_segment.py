"""Format detection, metadata and sections on own fixtures, seeds and the shared corpus."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import opencc
import pytest

from nianbao.pipeline import extract
from nianbao.stages.segment import detect_format, detect_year

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
STAGES_AFTER_SEGMENT = ["tables", "checks", "facts", "themes", "merge"]
ERA = {"2021": "gov_2021", "2019": "gov_2019", "old": "legacy_2008"}

REPORT_2021 = """\
青山市交通运输局2022年政府信息公开工作年度报告
本报告依据《条例》编制,统计期限自2022年1月1日至2022年12月31日。
一、总体情况
2022年,我局持续推进政务公开。
一、加强组织领导
成立工作专班,明确分管领导。
二、完善制度建设
制定信息发布审核制度。
二、主动公开政府信息情况
第二十条第(一)项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
三、收到和处理政府信息公开申请情况
三、本年度办理结果
四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
一是公开深度不够。
六、其他需要报告的事项
无。
"""


def _sections(text: str) -> list[str]:
    return [s.key for s in extract(text, skip=STAGES_AFTER_SEGMENT).sections]


def test_reused_numbering_and_table_rows_do_not_start_sections() -> None:
    r = extract(REPORT_2021, skip=STAGES_AFTER_SEGMENT)
    assert r.format_id == "gov_2021"
    assert r.year == 2022
    assert r.issuer == "青山市交通运输局"
    assert [s.key for s in r.sections] == [
        "preamble", "overview", "proactive", "requests", "review_litigation", "problems", "other"]
    assert r.meta["period_start"] == "2022-01-01"


def test_section_offsets_point_into_the_original() -> None:
    r = extract(REPORT_2021, skip=STAGES_AFTER_SEGMENT)
    sec = r.section("problems")
    assert sec is not None
    assert REPORT_2021[sec.start:sec.end].startswith("五、存在的主要问题及改进情况")
    assert REPORT_2021[sec.start:sec.end].endswith("一是公开深度不够。")


def test_traditional_script_twin_has_the_same_sections() -> None:
    trad = opencc.OpenCC("s2t").convert(REPORT_2021)
    r = extract(trad, skip=STAGES_AFTER_SEGMENT)
    assert r.script == "traditional"
    assert [s.key for s in r.sections] == _sections(REPORT_2021)
    sec = r.section("other")
    assert sec is not None and trad[sec.start:sec.start + 4] == "六、其他"


def test_markdown_headings_and_lost_overview_heading() -> None:
    text = ("# 东湖区人民政府2020年政府信息公开工作年度报告\n(一)主动公开情况\n全年公开信息100条。\n"
            "## 二、主动公开政府信息情况\n本年新制作数量\n## 三、收到和处理政府信息公开申请情况\n"
            "## 四、政府信息公开行政复议、行政诉讼情况\n## 五、存在的主要问题及改进情况\n问题。\n"
            "## 六、其他需要报告的事项\n无\n")
    assert _sections(text) == ["preamble", "overview", "proactive", "requests", "review_litigation", "problems",
                               "other"]


def test_numeral_alone_never_starts_a_section() -> None:
    text = "某县2019年政府信息公开工作年度报告\n一、\n二、加强队伍建设\n三、\n"
    assert _sections(text) == []


def test_legacy_headings_in_text_order() -> None:
    text = ("南城区人民政府2012年政府信息公开工作年度报告\n一、概述\n今年工作。\n二、主动公开政府信息情况\n公开1条。\n"
            "三、依申请公开政府信息情况\n无。\n四、政府信息公开的收费及减免情况\n未收费。\n"
            "五、因政府信息公开申请行政复议、提起行政诉讼的情况\n无。\n六、存在的主要问题和改进措施\n问题。\n")
    r = extract(text, skip=STAGES_AFTER_SEGMENT)
    assert r.format_id == "legacy_2008"
    assert [s.key for s in r.sections] == ["preamble", "overview", "proactive", "requests", "legacy_fees",
                                           "review_litigation", "problems"]


def test_format_detection_rules() -> None:
    assert detect_format("本年制发件数") == "gov_2021"
    assert detect_format("本年新制作数量") == "gov_2019"
    assert detect_format("三、收到和处理政府信息公开申请情况") == "gov_unknown"
    assert detect_format("依申请公开政府信息情况") == "legacy_2008"
    assert detect_format("总体情况", year=2015) == "legacy_2008"
    assert detect_year("2024 年上海某委政府信息公开工作\n年度报告") == 2024


needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared is absent")


@needs_shared
@pytest.mark.parametrize("doc_id", ["seed000", "seed002", "seed004"])
def test_seed_sections(doc_id: str) -> None:
    exp = json.loads((Path(__file__).parent / "expectations" / "seeds.json").read_text(encoding="utf-8"))[doc_id]
    r = extract(SHARED / exp["file"], skip=STAGES_AFTER_SEGMENT)
    assert [s.key for s in r.sections] == exp["sections"]
    for field in ("issuer", "year", "format_id", "script"):
        assert getattr(r, field) == exp[field], field


@needs_shared
def test_corpus_year_format_issuer_match_manifest() -> None:
    rows = list(csv.DictReader((SHARED / "corpus" / "manifest.tsv").open(encoding="utf-8"), delimiter="\t"))
    issuer_ok = 0
    for row in rows:
        path = next((SHARED / "corpus" / "files").glob(row["id"] + ".*"))
        r = extract(path, skip=STAGES_AFTER_SEGMENT)
        assert r.year == int(row["year"]), row["id"]
        assert r.format_id == ERA[row["format_era"]], row["id"]
        issuer_ok += r.issuer == row["issuing_body"]
    share = issuer_ok / len(rows)
    print(f"issuer accuracy {issuer_ok}/{len(rows)} = {share:.1%}")
    assert share >= 0.95
