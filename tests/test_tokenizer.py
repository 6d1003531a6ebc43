"""The spaCy pipeline's tokenizer honours the domain dictionary and saves it with the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.lang.tokenizer import SEGMENTERS, NianbaoTokenizer, Segmenter, blank, read_user_dict

TEXT = "本机关全年在政务新媒体发布信息,受理依申请公开12件,专兼职人员参训300人次。"


@pytest.mark.parametrize("segmenter", ["rjieba", "jieba"])
def test_domain_words_are_single_tokens(segmenter: str) -> None:
    nlp = blank(segmenter)
    words = [t.text for t in nlp(TEXT)]
    for term in ("政务新媒体", "依申请公开", "专兼职", "人次"):
        assert term in words, (segmenter, words)
    assert "".join(t.text_with_ws for t in nlp(TEXT)) == TEXT


def test_without_dictionary_the_terms_split() -> None:
    """Guards the test above: a plain segmenter does split these words."""
    seg = Segmenter("rjieba")
    assert "政务新媒体" not in seg.cut(TEXT)


def test_whitespace_is_preserved() -> None:
    text = "发布  信息\n\n 12 条 好"
    doc = blank("rjieba")(text)
    assert doc.text == text


def test_char_segmenter() -> None:
    assert [t.text for t in blank("char")("政务公开")] == ["政", "务", "公", "开"]


def test_unknown_segmenter_is_an_error() -> None:
    with pytest.raises(ValueError):
        Segmenter("nope")
    assert "rjieba" in SEGMENTERS


def test_user_dict_file_is_read() -> None:
    entries = read_user_dict(Path(__file__).resolve().parents[1] / "nlp" / "nianbao" / "data" / "dict.txt")
    words = {w for w, _f, _t in entries}
    assert {"依申请公开", "政策解读", "政务新媒体", "专兼职", "人次", "政府信息公开工作年度报告"} <= words


def test_to_disk_from_disk_keeps_user_dictionary(tmp_path: Path) -> None:
    nlp = blank("rjieba")
    tok = nlp.tokenizer
    assert isinstance(tok, NianbaoTokenizer)
    probe = "市里开通了阳光问政直通车栏目"
    assert "阳光问政直通车" not in [t.text for t in nlp(probe)]
    tok.add_words([("阳光问政直通车", 50000, "nz")])
    assert "阳光问政直通车" in [t.text for t in nlp(probe)]
    nlp.to_disk(tmp_path / "pipe")
    assert "阳光问政直通车" in (tmp_path / "pipe" / "tokenizer" / "user_dict.txt").read_text(encoding="utf-8")
    # a pipeline built WITHOUT any dictionary gets it back from disk
    fresh = blank("jieba", user_dict=None)
    assert "阳光问政直通车" not in [t.text for t in fresh(probe)]
    fresh.from_disk(tmp_path / "pipe")
    assert fresh.tokenizer.segmenter_name == "rjieba"
    assert "阳光问政直通车" in [t.text for t in fresh(probe)]
    assert "政务新媒体" in [t.text for t in fresh(TEXT)]


def test_to_bytes_round_trip() -> None:
    nlp = blank("rjieba")
    nlp.tokenizer.add_words(["惠企政策直达"])
    data = nlp.tokenizer.to_bytes()
    other = blank("char", user_dict=None)
    other.tokenizer.from_bytes(data)
    assert "惠企政策直达" in [t.text for t in other("推进惠企政策直达快享")]
