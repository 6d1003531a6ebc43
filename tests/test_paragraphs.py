"""Paragraph segmentation: the annotation guide's rule, on self-written texts and on the shared gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao.io.readers import read, read_bytes
from nianbao.pipeline import process
from nianbao.schema import Section
from nianbao.stages.context import Context
from nianbao.stages.normalise import normalise
from nianbao.stages.paragraphs import ParaSpan, paragraphs, segment, split_long_line

ROOT = Path(__file__).resolve().parents[1]


def _seg(text: str, media: str = "text", sections: list[Section] | None = None,
         fmt: str = "gov_2021") -> list[tuple[str, str | None]]:
    spans = segment(text, normalise(text), media, sections, fmt)
    return [(text[p.start : p.end], p.section) for p in spans]


def test_one_line_one_paragraph_and_headings_dropped() -> None:
    text = ("一、总体情况\n"
            "本年度我局围绕中心工作推进政务公开，主动公开各类信息二百余条。\n"
            "(一)加强组织领导\n"
            "(二)平台建设。我局改版门户网站，新增政策文件专栏，方便群众查找。\n"
            "二〇二四年一月十日\n"
            "规章 | 0 | 0 | 0\n")
    got = [t for t, _ in _seg(text)]
    assert got == ["本年度我局围绕中心工作推进政务公开，主动公开各类信息二百余条。",
                   "(二)平台建设。我局改版门户网站，新增政策文件专栏，方便群众查找。"]


def test_offsets_point_into_original_text_and_strip_spaces() -> None:
    text = "标题\n   　全年受理申请十件，均按期答复，未发生逾期情况。  \n"
    spans = segment(text, normalise(text), "text")
    assert len(spans) == 1
    sp = spans[0]
    assert text[sp.start : sp.end] == "全年受理申请十件，均按期答复，未发生逾期情况。"


def test_long_crawler_line_splits_before_inline_markers_only() -> None:
    head = "平潭样例报告 根据条例编制本报告，统计期限为全年。"
    one = "一、总体情况今年我区推进公开工作，统一、规范地发布信息，成效明显。" * 3
    sub = "（一）主动公开。全年公开信息一千条，涉及第二十条第（一）项规定的各类文件。" * 3
    enum = "主要做法如下。一是加强领导，明确分工。二是完善制度，规范流程。" * 3
    line = head + one + sub + enum
    assert len(line) > 300
    pieces = [line[s:e] for s, e in split_long_line(line, 0, len(line))]
    assert pieces[0] == head
    assert pieces[1].startswith("一、总体情况")
    # 统一、 (preceded by an ideograph) and 第（一）项 (a citation) never split
    assert all(not p.startswith(("、", "（一）项")) for p in pieces)
    assert any(p.startswith("（一）主动公开") for p in pieces)
    # 一是 after 。 splits; 二是 stays with its 一是
    enum_pieces = [p for p in pieces if p.startswith("一是")]
    assert enum_pieces and all("二是" in p for p in enum_pieces)


def test_short_line_is_never_split() -> None:
    line = "（一）主动公开。全年公开信息。（二）依申请公开。全年受理十件。"
    assert split_long_line(line, 0, len(line)) == [(0, len(line))]


def test_pdf_wrapped_lines_join_into_runs() -> None:
    text = ("一、总体情况\n"
            "本年度我县坚持以公开促落实，依托门户网站主动公开各\n"
            "类政府信息，公开质量进一步提升。\n"
            "（一）主动公开情况。全年公开信息一千二百条，其中规范性\n"
            "文件三十件；\n"
            "（二）平台建设\n"
            "持续优化网站栏目，完成适老化改造，群众访问更加便捷。\n")
    got = [t for t, _ in _seg(text, media="pdf")]
    assert got == ["本年度我县坚持以公开促落实，依托门户网站主动公开各\n类政府信息，公开质量进一步提升。",
                   "（一）主动公开情况。全年公开信息一千二百条，其中规范性\n文件三十件；",
                   "持续优化网站栏目，完成适老化改造，群众访问更加便捷。"]


def test_sections_filter_and_clip() -> None:
    a = "本年度工作总体平稳，主动公开信息数量稳步增长，群众满意度提高。"
    b = "本年度主动公开规章两件，规范性文件十件，具体数据见下表所列。"
    c = "主要问题是公开内容不够丰富，下一步将加强培训并完善考核机制。"
    text = f"{a}\n{b}\n{c}\n"
    pa, pb, pc = text.index(a), text.index(b), text.index(c)
    sections = [Section(key="overview", title="一", start=pa, end=pb),
                Section(key="proactive", title="二", start=pb, end=pc),
                Section(key="problems", title="五", start=pc, end=len(text))]
    assert _seg(text, sections=sections) == [(a, "overview"), (c, "problems")]
    # legacy reports: every section's prose counts
    assert [s for _, s in _seg(text, sections=sections, fmt="legacy_2008")] == ["overview", "proactive", "problems"]


def test_traditional_text_same_paragraphs_as_simplified() -> None:
    simp = "一、总体情况\n本年度我局加强政府网站建设，及时发布政策文件和解读材料。\n"
    trad = "一、總體情況\n本年度我局加強政府網站建設，及時發布政策文件和解讀材料。\n"
    assert [(p.start, p.end) for p in segment(simp, normalise(simp), "text")] == \
        [(p.start, p.end) for p in segment(trad, normalise(trad), "text")]


def test_pipeline_context_uses_segment_sections() -> None:
    text = ("示例县2023年政府信息公开工作年度报告\n"
            "一、总体情况\n"
            "2023年，本县认真落实条例要求，主动公开政府信息一千余条，依申请公开答复全部按期完成。\n"
            "二、主动公开政府信息情况\n"
            "规章 | 0 | 0 | 0\n"
            "五、存在的主要问题及改进情况\n"
            "主要问题是基层公开标准化水平不高。下一步将组织专题培训，完善标准目录。\n"
            "六、其他需要报告的事项\n"
            "本年度未收取信息处理费。\n")
    doc = read_bytes(text.encode("utf-8"), "sample.txt", ".txt")
    report = process(doc, skip=["tables", "checks", "facts", "themes", "merge"])
    ctx = Context(doc=doc, norm=normalise(doc.text), report=report)
    spans = paragraphs(ctx)
    assert [s.section for s in spans] == ["overview", "problems", "other"]
    assert all(isinstance(s, ParaSpan) for s in spans)


@pytest.mark.shared
def test_segmenter_reproduces_annotated_spans(shared_dir: Path) -> None:
    """The annotators follow the same rule: nearly every gold span is a segmenter paragraph."""
    from nianbao.train.themes_train import doc_path

    gold: dict[str, set[tuple[int, int]]] = {}
    for f in sorted((ROOT / "training_data" / "paragraphs").glob("shared_*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            gold.setdefault(r["doc"], set()).add((r["start"], r["end"]))
    if not gold:
        pytest.skip("no shared paragraph annotations")
    total = hit = 0
    for doc_id, spans in gold.items():
        path = doc_path(doc_id, shared_dir)
        assert path is not None
        doc = read(path)
        report = process(doc, skip=["tables", "checks", "facts", "themes", "merge"])
        got = {(p.start, p.end) for p in paragraphs(Context(doc=doc, norm=normalise(doc.text), report=report))}
        total += len(spans)
        hit += len(spans & got)
    assert hit / total >= 0.95, f"{hit}/{total} annotated spans reproduced"
