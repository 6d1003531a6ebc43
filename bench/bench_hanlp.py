"""The optional HanLP segmenter against the default (rjieba) on the shared corpus texts.

Measures, on the normalised text of every seed and corpus report, each segmenter with
OUR domain dictionary: speed (chars/s, best of N, after a warm-up), one-time set-up
(HanLP's general-word trie is built in Python), share of domain-dictionary words kept
whole (same measure as bench/bench_tokenizer.py), token agreement with rjieba, and
agreement of the entity spans the spaCy pipeline (``get_nlp(..., ner=False)``) finds,
since entity boundaries snap to tokens. When the full ``hanlp`` package is importable it
also compares HanLP's rule sentence splitter with the project's sentence ends. Writes
bench/results_hanlp.md; exits with a message when the HanLP extra is not installed.

    python bench/bench_hanlp.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench_tokenizer import corpus_texts, dict_compliance
from nianbao.lang.hanlp_backend import DEFAULT_MIN_FREQ, HanlpSegmenter, available, general_trie
from nianbao.lang.nlp import get_nlp
from nianbao.lang.tokenizer import Segmenter, default_user_dict
from timing import best_of

ROOT = Path(__file__).resolve().parents[1]
Spans = list[tuple[int, int]]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def token_spans(seg: Segmenter | HanlpSegmenter, text: str) -> Spans:
    return [(s, e) for w, s, e in seg.spans(text) if not w.isspace()]


def agreement(a: list[Spans], b: list[Spans]) -> tuple[float, float]:
    """(share of ``b``'s tokens that ``a`` has too, boundary-exact F1 of a against b)."""
    inter = sum(len(set(x) & set(y)) for x, y in zip(a, b, strict=True))
    na, nb = sum(len(x) for x in a), sum(len(y) for y in b)
    p, r = inter / na, inter / nb
    return r, 2 * p * r / (p + r) if p + r else 0.0


def time_best(fn: Callable[[str], object], texts: list[str], repeat: int) -> float:
    for t in texts[:2]:
        fn(t)
    return best_of(lambda: [fn(t) for t in texts], repeat)


def sentence_rows(texts: list[str]) -> list[str]:
    """HanLP's ``split_sentence`` (full ``hanlp`` package only) against the project's sentence ends."""
    try:
        from hanlp.utils.rules import split_sentence
    except Exception as exc:  # the full package pulls torch; usually not installed
        return [f"HanLP sentence splitter: not measured (full `hanlp` package not importable: {type(exc).__name__})."]
    import hanlp

    ours = theirs = both = 0
    for text in texts:
        mine, prev = set(), 0
        for e in sorted({i + 1 for i, ch in enumerate(text) if ch in "。!?\n"} | {len(text)}):
            if text[prev:e].strip():  # blank lines are not sentences
                mine.add(e)
            prev = e
        ends, pos = set(), 0
        for sent in split_sentence(text):
            at = text.find(sent, pos)
            if at < 0:  # the splitter rewrote the chunk (abbreviation handling)
                continue
            pos = at + len(sent)
            end = pos
            while end < len(text) and text[end] in " \t":
                end += 1
            # the project's rule counts the line break itself as part of the sentence
            ends.add(end + 1 if text[end:end + 1] == "\n" and text[pos - 1] not in "。!?" else pos)
        ours += len(mine)
        theirs += len(ends)
        both += len(mine & ends)
    return [f"HanLP {hanlp.__version__} `split_sentence` vs the project's sentence ends (after 。!? or a line break): "
            f"{theirs} vs {ours} sentences, {both} shared ends ({both / ours:.1%} of ours). "
            "It finds the same boundaries, needs the full package (torch), returns stripped strings without offsets "
            "and its pattern lacks the half-width ! of normalised text, so it is not wired into the pipeline."]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not available():
        print("HanLP backend not installed (pip install 'nianbao[hanlp]'); nothing to measure.")
        return
    texts = corpus_texts()
    chars = sum(len(t) for t in texts)
    entries = default_user_dict()
    words = [w for w, _f, _t in entries]

    rss0 = rss_mb()
    t0 = time.perf_counter()
    general_trie(DEFAULT_MIN_FREQ)
    build_s = time.perf_counter() - t0
    trie_mb = rss_mb() - rss0

    segs: dict[str, Segmenter | HanlpSegmenter] = {}
    for name in ("rjieba", "hanlp", "hanlp longest"):
        seg: Segmenter | HanlpSegmenter = HanlpSegmenter("longest") if name == "hanlp longest" else Segmenter(name)
        for w, f, t in entries:
            seg.add_word(w, f, t)
        segs[name] = seg
    spans = {name: [token_spans(seg, t) for t in texts] for name, seg in segs.items()}
    rows = []
    for name, seg in segs.items():
        sec = time_best(seg.cut, texts, args.repeat)
        kept = total = 0
        for t in texts:
            k, n = dict_compliance(seg.cut(t), t, words)
            kept += k
            total += n
        same, f1 = agreement(spans[name], spans["rjieba"])
        ntok = sum(len(s) for s in spans[name])
        rows.append((name, chars / sec, sec, kept, total, ntok, same, f1))

    ents: dict[str, list[set[tuple[str, int, int]]]] = {}
    for name in ("rjieba", "hanlp"):
        nlp = get_nlp(name, ner=False)
        ents[name] = [{(e.label_, e.start_char, e.end_char) for e in nlp(t).ents} for t in texts]
    e_inter = sum(len(a & b) for a, b in zip(ents["hanlp"], ents["rjieba"], strict=True))
    e_union = sum(len(a | b) for a, b in zip(ents["hanlp"], ents["rjieba"], strict=True))
    e_n = {k: sum(len(s) for s in v) for k, v in ents.items()}

    r, h, hl = rows[0], rows[1], rows[2]
    load = os.getloadavg()[0]
    lines = [
        "# HanLP backend benchmark",
        "",
        f"Machine: {os.cpu_count()} cores, load average {load:.1f} at the start (other jobs share it: absolute "
        "chars/s vary up to 2× between runs, the ratios less).",
        f"Texts: {len(texts)} normalised reports (seeds + corpus), {chars} characters; best of {args.repeat} runs "
        f"after a warm-up; {platform.python_implementation()} {platform.python_version()} on {platform.machine()}.",
        f"Dictionary: nlp/nianbao/data/dict.txt ({len(words)} words) for all. HanLP segmenter = hanlp-trie "
        f"`TrieDict`s: domain words forced first (longest match), then jieba's general word list "
        f"(words of 2+ chars with frequency >= {DEFAULT_MIN_FREQ}); `hanlp` = cheapest path through the trie's word "
        "lattice (the `segmenter=\"hanlp\"` default), `hanlp longest` = HanLP's forward longest match.",
        "",
        "| segmenter | chars/s | seconds | honours dict | tokens | rjieba tokens reproduced | boundary F1 vs rjieba |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, cps, sec, kept, total, ntok, same, f1 in rows:
        lines.append(f"| {name} | {cps:,.0f} | {sec:.3f} | {kept}/{total} ({kept / total:.1%}) | {ntok} | "
                     f"{same:.1%} | {f1:.3f} |")
    lines += [
        "",
        f"- HanLP is {r[1] / h[1]:.1f}× slower than rjieba per character ({r[1] / hl[1]:.1f}× in longest-match "
        f"mode), plus a one-time general trie build of "
        f"{build_s:.2f} s and ~{trie_mb:.0f} MB RSS per process.",
        f"- Entities of the spaCy pipeline (rules, no NER): rjieba {e_n['rjieba']}, hanlp {e_n['hanlp']}, "
        f"{e_inter} identical spans ({e_inter / e_union:.1%} of the union).",
        "- Facts: the fact stage and `nianbao evaluate facts` do not use the tokenizer (entities are off there "
        "and the rule entities work on characters), so facts dev F1 is the same with either segmenter.",
        *("- " + s for s in sentence_rows(texts)),
    ]
    out = ROOT / "bench" / "results_hanlp.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
