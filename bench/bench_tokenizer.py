"""Segmenter speed and dictionary compliance on the shared corpus texts.

Measures rjieba, jieba and spacy-pkuseg (when importable; its model weights are
fetched from GitHub, not PyPI, so it is usually unavailable offline) on the
normalised text of every seed and corpus report, each segmenter with OUR domain
dictionary. "honours dict" = share of dictionary-word occurrences in the texts
that come out as one token. Writes bench/results_tokenizer.md.

    .venv/bin/python bench/bench_tokenizer.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import re
import time
from pathlib import Path

from nianbao.io.readers import read
from nianbao.lang.tokenizer import Segmenter, default_user_dict
from nianbao.stages.normalise import normalise

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def corpus_texts() -> list[str]:
    paths = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus" / "files").glob("r*.*"))
    return [normalise(read(p).text).text for p in paths]


def dict_compliance(cut: list[str], text: str, words: list[str]) -> tuple[int, int]:
    """(occurrences kept whole, occurrences) of dictionary words in ``text``."""
    pos = 0
    starts: dict[int, int] = {}
    for w in cut:
        starts[pos] = len(w)
        pos += len(w)
    kept = total = 0
    for w in words:
        for m in re.finditer(re.escape(w), text):
            # count only occurrences not inside a longer dictionary word occurrence
            total += 1
            if starts.get(m.start()) == len(w) or any(
                starts.get(s, 0) >= len(w) and s <= m.start() and s + starts[s] >= m.end()
                for s in range(max(0, m.start() - 10), m.start() + 1)
            ):
                kept += 1
    return kept, total


def pkuseg_cutter(words: list[str]):  # type: ignore[no-untyped-def]
    try:
        import spacy_pkuseg
    except ImportError:
        return None, "not installed"
    except Exception as exc:  # e.g. a wheel built against another numpy ABI
        return None, f"not importable ({type(exc).__name__}: {str(exc)[:48]}…); its weights also download from GitHub"
    try:
        seg = spacy_pkuseg.pkuseg("spacy_ontonotes", user_dict=words)
    except Exception as exc:  # model download needs GitHub, not available offline
        return None, f"model unavailable ({type(exc).__name__})"
    return seg.cut, ""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    texts = corpus_texts()
    chars = sum(len(t) for t in texts)
    entries = default_user_dict()
    words = [w for w, _f, _t in entries]
    rows = []
    for name in ("rjieba", "jieba"):
        seg = Segmenter(name)
        for w, f, t in entries:
            seg.add_word(w, f, t)
        for t in texts[:2]:
            seg.cut(t)  # warm up
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            cuts = [seg.cut(t) for t in texts]
            best = min(best, time.perf_counter() - t0)
        kept = total = 0
        for cut, t in zip(cuts, texts, strict=True):
            k, n = dict_compliance(cut, t, words)
            kept += k
            total += n
        rows.append((name, chars / best, best, kept, total, ""))
    cut_fn, note = pkuseg_cutter(words)
    if cut_fn is None:
        rows.append(("spacy-pkuseg", None, None, 0, 0, note))
    else:
        t0 = time.perf_counter()
        cuts = [cut_fn(t) for t in texts]
        el = time.perf_counter() - t0
        kept = total = 0
        for cut, t in zip(cuts, texts, strict=True):
            k, n = dict_compliance(cut, t, words)
            kept += k
            total += n
        rows.append(("spacy-pkuseg", chars / el, el, kept, total, ""))
    measured = [r for r in rows if r[1]]
    fastest = max((r for r in measured if r[4] and r[3] / r[4] >= 0.99), key=lambda r: r[1], default=None)
    lines = [
        "# Tokenizer benchmark",
        "",
        f"Texts: {len(texts)} normalised reports (seeds + corpus), {chars} characters; best of {args.repeat} runs; "
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}.",
        f"Dictionary: nlp/nianbao/data/dict.txt ({len(words)} words). \"honours dict\" = dictionary-word "
        "occurrences that come out as one token (or inside a longer token).",
        "",
        "| segmenter | chars/s | seconds | honours dict | note |",
        "|---|---:|---:|---:|---|",
    ]
    for name, cps, sec, kept, total, note in rows:
        if cps is None:
            lines.append(f"| {name} | – | – | – | {note} |")
        else:
            lines.append(f"| {name} | {cps:,.0f} | {sec:.3f} | {kept}/{total} ({kept / total:.1%}) | {note} |")
    if fastest:
        others = [r for r in measured if r is not fastest]
        ratio = ", ".join(f"{fastest[1] / r[1]:.1f}× {r[0]}" for r in others)
        lines += ["", f"Choice: **{fastest[0]}** — fastest segmenter that honours the dictionary ({ratio}). "
                  "It is the default `segmenter` of the `nianbao.zh_tokenizer.v1` tokenizer."]
    out = ROOT / "bench" / "results_tokenizer.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
