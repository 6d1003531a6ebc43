"""Normaliser: canonical form and an exact offset map back to the original."""

from __future__ import annotations

import opencc
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.stages.normalise import NormText, apply_edits, detect_script, normalise

SIMPLIFIED = "一、总体情况\n2022年,本局主动公开政府信息1,234条,收到政府信息公开申请15件。\n"


def test_traditional_twin_normalises_to_the_same_text() -> None:
    trad = opencc.OpenCC("s2t").convert(SIMPLIFIED)
    assert trad != SIMPLIFIED
    a, b = normalise(SIMPLIFIED), normalise(trad)
    assert b.script == "traditional"
    assert a.text == b.text


def test_pinyin_glosses_removed_and_mapped() -> None:
    src = "政務(wù)公開(kāi)工作"
    nt = normalise(src)
    assert nt.text == "政务公开工作"
    s, e = nt.span(0, 4)
    assert src[s:e] == "政務(wù)公開"


def test_pinyin_needs_tone_marks() -> None:
    assert normalise("提交(app)申请").text == "提交(app)申请"


def test_fullwidth_and_spaces_in_numbers() -> None:
    nt = normalise("受理申请　２３ 件，（一）予以公开\u200b")
    assert nt.text == "受理申请23件,(一)予以公开"


def test_taiwan_wording_only_in_traditional_text() -> None:
    assert "门户网站" in normalise("透過入口網站公開政府資訊與檔案,便利民眾查詢。").text
    # mainland simplified 档案 (archives) stays
    assert normalise("加强档案管理工作,规范文件归档。").text == "加强档案管理工作,规范文件归档。"


def test_chrome_lines_dropped_but_long_lines_kept() -> None:
    text = "正文第一段。\n扫一扫在手机上查看当前页面\n当前位置:首页>年报\n"
    assert normalise(text).text == "正文第一段。\n"
    long_line = "当前位置: 首页 " + "本报告正文内容。" * 40
    assert "本报告正文内容" in normalise(long_line).text


def test_thousands_separator() -> None:
    assert normalise("发布信息12,345条").text == "发布信息12345条"


def test_detect_script() -> None:
    assert detect_script("政府信息公开工作年度报告") == "simplified"
    assert detect_script("政府資訊公開工作年度報告,總體情況") == "traditional"


def test_apply_edits_composes_maps() -> None:
    nt = NormText.identity("abcdef")
    nt = apply_edits(nt, [(1, 3, "X")])  # aXdef
    nt = apply_edits(nt, [(0, 1, ""), (2, 3, "YY")])  # XYYef
    assert nt.text == "XYYef"
    assert nt.span(0, 1) == (1, 3)
    assert nt.span(1, 3) == (3, 4)
    assert nt.span(3, 5) == (4, 6)


_ALPHABET = [*list("政务公开開發務總體情況资讯網路檔案 \u3000１２３0123,，。(（)）年件"), "(wù)", "(kāi)", "\u200b", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), min_size=1, max_size=40), st.data())
def test_span_maps_back_to_original_that_normalises_to_it(parts: list[str], data: st.DataObject) -> None:
    src = "".join(parts)
    nt = normalise(src, script="traditional")
    n = len(nt.text)
    if n == 0:
        return
    a = data.draw(st.integers(0, n - 1))
    b = data.draw(st.integers(a + 1, n))
    s, e = nt.span(a, b)
    assert 0 <= s <= e <= len(src)
    # the original span normalises (in its context) to exactly the normalised span
    again = normalise(src[s:e], script="traditional").text
    assert again == nt.text[a:b] or _context_equal(src, s, e, nt.text[a:b])


def _context_equal(src: str, s: int, e: int, expected: str) -> bool:
    """Context rules (spaces between CJK, glosses after a CJK char) may need the neighbours."""
    whole = normalise(src, script="traditional")
    covered = "".join(whole.text[i] for i in range(len(whole.text)) if s <= whole.starts[i] and whole.ends[i] <= e)
    return covered == expected
