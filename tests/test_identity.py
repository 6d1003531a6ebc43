"""Issuer, identity, year and format with evidence (#14): self-written openings, and floors on the shared pages."""

from __future__ import annotations

import json
from pathlib import Path

import opencc
import pytest

from nianbao.pipeline import extract
from nianbao.resources import shared_dir
from nianbao.stages.identity import parse_name
from nianbao.stages.segment import decide_format, detect_year

AFTER_SEGMENT = ["tables", "checks", "facts", "themes", "merge"]


def _r(text: str):  # type: ignore[no-untyped-def]
    return extract(text, skip=AFTER_SEGMENT)


def _evidence_names(text: str) -> set[str]:
    r = _r(text)
    return {text[e.start:e.end] for e in r.issuer_evidence}


@pytest.mark.parametrize(("text", "name"), [
    # title line
    ("常熟市审计局2022年政府信息公开工作年度报告\n一、总体情况\n今年我局持续推进公开。\n", "常熟市审计局"),
    # 现公布X(以下简称…)YYYY年…
    ("依照《条例》规定,现公布江阴市交通运输局(以下简称市交通局)2020年政府信息公开工作年度报告。\n一、总体情况\n",
     "江阴市交通运输局"),
    # 由X编制 / 由X根据…编制
    ("本报告由嘉兴市南湖区人民政府办公室根据有关文件汇总编制。\n一、概述\n本年度工作平稳。\n", "嘉兴市南湖区人民政府办公室"),
    # 结合X…实际
    ("本报告依照《条例》要求,结合乐清市财政局2016年度实际工作情况编写而成。\n一、概述\n", "乐清市财政局"),
    # X根据…编制 at a sentence start
    ("前言\n德清县民政局根据上级部署编制本报告。\n一、概述\n", "德清县民政局"),
    # page chrome 来源:
    ("政务公开\n来源:余姚市卫生健康局 发布时间:2022-01-20\n年度报告\n一、总体情况\n我局全年公开信息88条。\n", "余姚市卫生健康局"),
])
def test_issuer_from_title_preamble_and_chrome(text: str, name: str) -> None:
    r = _r(text)
    assert r.issuer == name
    assert name in _evidence_names(text)  # evidence offsets point at the name in the original text


def test_self_reference_resolves_to_the_body_named_elsewhere() -> None:
    text = ("一、总体情况\n2021年,我局认真落实公开要求,编制发布《温岭市市场监督管理局主动公开基本目录》,"
            "全年公开信息120条。\n二、主动公开政府信息情况\n")
    r = _r(text)
    assert r.issuer == "温岭市市场监督管理局"
    assert [(e.source, text[e.start:e.end]) for e in r.issuer_evidence] == [
        ("self_reference_pronoun", "我局"), ("self_reference", "温岭市市场监督管理局")]


@pytest.mark.parametrize("text", [
    "现将我局2022年政府信息公开工作情况报告如下:\n一、总体情况\n",
    "为贯彻落实《条例》,特公布本年度区教育局政府信息公开工作报告。\n一、概述\n",
    "关于印发某某市2020年政务公开工作要点的通知落实情况。现编制本局报告。\n一、总体情况\n",
])
def test_never_a_fragment_but_none_with_a_warning(text: str) -> None:
    r = _r(text)
    assert r.issuer is None and r.identity is None
    assert any(w.code == "no_issuer" for w in r.warnings)


def test_parse_name_drops_sentence_pieces_before_the_body() -> None:
    p = parse_name("特向社会公布鄂尔多斯市民政局")
    assert p is not None and p.name == "鄂尔多斯市民政局" and p.chain == ["鄂尔多斯市"]
    assert parse_name("编制本局") is None
    assert parse_name("三明市人民政府办公室关于印发三明市") is not None  # a window still parses to its last body…
    assert parse_name("三明市人民政府办公室关于印发三明市").name == "三明市"  # type: ignore[union-attr]


def test_identity_is_stable_across_years_and_name_variants() -> None:
    a = _r("青岛市黄岛区住建局2019年政府信息公开工作年度报告\n一、总体情况\n")
    b = _r("青岛市黄岛区住房和城乡建设局2023年政府信息公开工作年度报告\n一、总体情况\n")
    assert a.identity is not None and b.identity is not None
    assert a.identity.issuer_id == b.identity.issuer_id == "370211:住房和城乡建设局"
    assert a.identity.division_code == "370211" and a.identity.division_name == "山东省青岛市黄岛区"
    assert (a.identity.level, a.identity.kind) == ("county", "department")
    gov = _r("海宁市人民政府2018年政府信息公开工作年度报告\n一、概述\n")
    gov2 = _r("海宁市政府2019年政府信息公开工作年度报告\n一、概述\n")
    assert gov.identity is not None and gov2.identity is not None
    assert gov.identity.issuer_id == gov2.identity.issuer_id
    assert (gov.identity.level, gov.identity.kind) == ("county", "government")  # 海宁市 is a county-level city


def test_locality_title_means_its_government_and_levels() -> None:
    r = _r("桐庐县2017年政府信息公开工作年度报告\n本报告由县政府办公室编制。\n一、概述\n")
    assert r.issuer == "桐庐县人民政府"
    assert r.identity is not None and r.identity.level == "county" and r.identity.kind == "government"
    town = _r("安吉县孝丰镇人民政府2023年政府信息公开工作年度报告\n一、总体情况\n")
    assert town.identity is not None and (town.identity.level, town.identity.kind) == ("township", "government")
    assert town.identity.division_code == "330523"
    street = _r("杭州市西湖区人民政府北山街道办事处2022年政府信息公开工作年度报告\n一、总体情况\n")
    assert street.identity is not None and street.identity.kind == "street_office"
    assert street.identity.level == "township"
    prov = _r("浙江省统计局2015年政府信息公开工作年度报告\n一、概述\n")
    assert prov.identity is not None and prov.identity.level == "province"


def test_abolished_district_keeps_its_code() -> None:
    r = _r("上海市闸北区民政局2012年政府信息公开工作年度报告\n一、概述\n")
    assert r.identity is not None and r.identity.division_code == "310108"


def test_traditional_twin_has_the_same_identity() -> None:
    simp = "余杭区财政局2024年政府信息公开工作年度报告\n一、总体情况\n本局全年公开预决算信息。\n"
    trad = opencc.OpenCC("s2t").convert(simp)
    a, b = _r(simp), _r(trad)
    assert a.identity is not None and b.identity is not None
    assert a.identity.issuer_id == b.identity.issuer_id
    assert all(trad[e.start:e.end] for e in b.issuer_evidence)


def test_years_of_cited_documents_never_count() -> None:
    text = ("依照《某省办公厅关于做好2020年度政府信息公开工作年度报告编制工作的通知》和国办公开办函〔2021〕30号要求,"
            "现向社会公布2021年度某县农业农村局信息公开工作年度报告。")
    assert detect_year(text) == 2021
    assert detect_year("按照(平政发〔2009〕63号),特向社会公布 2012年度本级政府信息公开工作年度报告。") == 2012


def test_spaced_and_broken_period_dates() -> None:
    text = ("某区统计局2024年政府信息公开工作年度报告\n本报告所列数据的统计期限自 2024 年 1 月 1 日\n"
            "起至 2024 年 12 月 31 日止。\n一、总体情况\n")
    r = _r(text)
    assert (r.meta["period_start"], r.meta["period_end"]) == ("2024-01-01", "2024-12-31")


@pytest.mark.parametrize(("text", "year", "fmt", "evidence"), [
    ("按照国办公开办函〔2021〕30号要求编制本报告。\n一、总体情况\n", 2022, "gov_2021", "notice:"),
    ("依照国办公开办函[2019]60号编制。\n一、总体情况\n", 2020, "gov_2019", "notice:"),
    ("一、总体情况\n三、收到和处理政府信息公开申请情况\n", 2023, "gov_2021", "heading+year:"),
    ("一、总体情况\n三、收到和处理政府信息公开申请情况\n", 2020, "gov_2019", "heading+year:"),
    ("信息内容 | 本年制发件数 | 本年废止件数\n", 2020, "gov_2021", "table_token:"),
    ("三、依申请公开政府信息情况\n", None, "legacy_2008", "legacy_heading:"),
    ("一、概述\n", 2012, "legacy_2008", "year<=2018"),
])
def test_format_with_evidence(text: str, year: int | None, fmt: str, evidence: str) -> None:
    got, why, _span = decide_format(text, year)
    assert got == fmt and why.startswith(evidence)


def test_format_evidence_span_is_in_the_original() -> None:
    text = "某镇人民政府2022年政府信息公开工作年度报告\n依照国办公开办函〔2021〕30号编制。\n一、总体情况\n"
    r = _r(text)
    assert r.format_id == "gov_2021" and r.meta["format_evidence"].startswith("notice:")
    a, b = map(int, r.meta["format_evidence_span"].split("-"))
    assert text[a:b] == "〔2021〕30号"


@pytest.mark.shared
def test_shared_pages_issuer_year_floors() -> None:
    """Measured against training_data/identity/gold.jsonl (pinned floors, not the current numbers)."""
    if not (shared_dir() / "corpus" / "pages").exists():
        pytest.skip("shared reference folder not present")
    from nianbao.train.identity_eval import load_gold, predict, score

    ident, heads = load_gold()
    pages = [d for d in ident if d[:3] in ("pa_", "pb_", "pc_", "pd_")]
    n = score(predict(pages), ident, heads, pages)["counts"]
    assert n["issuer_ok"] / n["issuer_named"] >= 0.95
    assert n.get("fragments", 0) == 0
    assert n["year_ok"] / n["year_stated"] >= 0.99
    assert n.get("format_2021_unknown", 0) == 0


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("expected", sorted((EXAMPLES / "expected").glob("*.json")), ids=lambda p: p.stem)
def test_bundled_examples_issuer_year_format(expected: Path) -> None:
    """Every bundled example (txt/md/html/pdf/docx, GBK, traditional) names its issuer, year and format."""
    exp = json.loads(expected.read_text(encoding="utf-8"))
    r = extract(EXAMPLES / exp["file"], skip=AFTER_SEGMENT)
    assert (r.issuer, r.year, r.format_id) == (exp["issuer"], exp["year"], exp["format_id"])
    assert r.issuer_evidence and r.meta["format_evidence"]
