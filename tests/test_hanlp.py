"""The optional HanLP segmenter: clear error when absent, torch-free default path, and
(when ``nianbao[hanlp]`` is installed) dictionary-honouring, offset-exact segmentation."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from nianbao.errors import NianbaoError
from nianbao.lang.hanlp_backend import INSTALL_HINT, read_general_words
from nianbao.lang.tokenizer import SEGMENTERS, Segmenter

TEXT = "本报告由本机关编制。全年在政务新媒体发布信息,受理依申请公开12件,专兼职人员参训300人次,占比12.5%。"


def test_hanlp_is_a_listed_segmenter() -> None:
    assert "hanlp" in SEGMENTERS


def test_missing_hanlp_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hanlp_trie", None)  # as if the extra were not installed
    with pytest.raises(NianbaoError) as err:
        Segmenter("hanlp")
    assert err.value.reason == INSTALL_HINT
    assert err.value.line() == "nianbao: error: hanlp: HanLP backend not installed: pip install 'nianbao[hanlp]'"


def test_default_pipeline_imports_neither_hanlp_nor_torch(tmp_path: Path) -> None:
    """The default path (import, tokenizer, full extraction) must stay free of HanLP and torch."""
    report = tmp_path / "r.txt"
    report.write_text("虚构市政府2023年政府信息公开工作年度报告\n一、总体情况\n本年度主动公开政府信息120条。\n",
                      encoding="utf-8")
    code = (
        "import json, sys\n"
        "import nianbao\n"
        "from nianbao.lang.tokenizer import tokenize\n"
        "from nianbao.pipeline import extract\n"
        "words = tokenize('受理依申请公开12件')\n"
        f"rep = extract({str(report)!r})\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'hanlp', 'hanlp_trie', 'hanlp_common'))\n"
        "print(json.dumps({'heavy': heavy, 'words': words, 'facts': len(rep.facts)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert "依申请公开" in result["words"]  # the default tokenizer really ran


def test_general_word_list_reader(tmp_path: Path) -> None:
    path = tmp_path / "dict.txt"
    path.write_text("机关 120 n\n本 900 r\n报告 80 n\n稀有词 2 n\n坏行\n", encoding="utf-8")
    assert read_general_words(path, min_freq=5) == {"机关": 120, "报告": 80}


def test_hanlp_segmenter_keeps_domain_words_and_offsets() -> None:
    pytest.importorskip("hanlp_trie")
    from nianbao.lang.tokenizer import blank

    nlp = blank("hanlp")
    words = [t.text for t in nlp(TEXT)]
    for term in ("政务新媒体", "依申请公开", "专兼职", "人次"):
        assert term in words, words
    assert "12.5%" in words and "300" in words  # number runs stay whole
    assert "".join(t.text_with_ws for t in nlp(TEXT)) == TEXT
    text = "发布  信息\n\n 12 条 好"
    assert nlp(text).text == text


@pytest.mark.parametrize("mode", ["path", "longest"])
def test_spans_cover_text_exactly(mode: str) -> None:
    pytest.importorskip("hanlp_trie")
    from nianbao.lang.hanlp_backend import HanlpSegmenter

    seg = HanlpSegmenter(mode)
    spans = list(seg.spans(TEXT))
    assert "".join(w for w, _s, _e in spans) == TEXT
    assert all(TEXT[s:e] == w for w, s, e in spans)
    assert all(a[2] == b[1] for a, b in pairwise(spans))


def test_lattice_path_beats_longest_match() -> None:
    """Forward longest match takes 本报|告; the cheapest lattice path keeps 报告 whole."""
    pytest.importorskip("hanlp_trie")
    from nianbao.lang.hanlp_backend import HanlpSegmenter

    assert "报告" in HanlpSegmenter("path").cut("本报告由本机关编制")
    assert "报告" not in HanlpSegmenter("longest").cut("本报告由本机关编制")


def test_domain_words_are_forced_and_per_instance() -> None:
    pytest.importorskip("hanlp_trie")
    from nianbao.lang.hanlp_backend import HanlpSegmenter

    probe = "市里开通了阳光问政直通车栏目"
    a, b = HanlpSegmenter(), HanlpSegmenter()
    assert "阳光问政直通车" not in a.cut(probe)
    a.add_word("阳光问政直通车", 10, "nz")
    assert "阳光问政直通车" in a.cut(probe)
    assert "阳光问政直通车" not in b.cut(probe)  # the shared general trie was not modified


def test_hanlp_pipeline_round_trips_through_disk(tmp_path: Path) -> None:
    pytest.importorskip("hanlp_trie")
    from nianbao.lang.tokenizer import blank

    nlp = blank("hanlp")
    nlp.tokenizer.add_words([("阳光问政直通车", 50000, "nz")])
    nlp.to_disk(tmp_path / "pipe")
    fresh = blank("char", user_dict=None)
    fresh.from_disk(tmp_path / "pipe")
    assert fresh.tokenizer.segmenter_name == "hanlp"
    assert "阳光问政直通车" in [t.text for t in fresh("市里开通了阳光问政直通车栏目")]


def test_unknown_mode_is_an_error() -> None:
    from nianbao.lang.hanlp_backend import HanlpSegmenter

    with pytest.raises(ValueError):
        HanlpSegmenter("fastest")
