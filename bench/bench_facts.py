"""Throughput of tokenizer + entity/number/fact tagging, as a ratio to bare rjieba tokenisation.

Both run in one process on the same normalised texts (seeds + corpus): the
baseline is ``rjieba.Jieba().cut`` (no dictionary, no spaCy), the product path is
the cached spaCy pipeline (our tokenizer + rule entities [+ trained NER]) followed
by fact extraction. Goal: ratio >= 25%.

    .venv/bin/python bench/bench_facts.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from nianbao.facts import extract_facts
from nianbao.normalise import normalise
from nianbao.readers import read
from nianbao.tokenizer import get_nlp

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import rjieba

    paths = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus" / "files").glob("r*.*"))
    texts = [normalise(read(p).text).text for p in paths]
    chars = sum(len(t) for t in texts)
    bare = rjieba.Jieba()
    for t in texts[:2]:
        bare.cut(t)
    base = _best(lambda: [bare.cut(t) for t in texts], args.repeat)
    print(f"texts={len(texts)} chars={chars}")
    print(f"bare rjieba tokenisation:        {chars / base:12,.0f} chars/s")
    for ner in (True, False):
        nlp = get_nlp(ner=ner)
        for t in texts[:2]:
            nlp(t)

        def run(nlp=nlp) -> None:  # type: ignore[no-untyped-def]
            for t in texts:
                doc = nlp(t)
                extract_facts(t, doc.user_data.get("nianbao_quantities"))

        el = _best(run, args.repeat)
        label = "pipeline " + ("+ NER" if ner else "rules only") + " + facts"
        print(f"{label:32s} {chars / el:12,.0f} chars/s   ratio to bare rjieba: {base / el:.1%}  (pipes={nlp.pipe_names})")
    facts_only = _best(lambda: [extract_facts(t) for t in texts], args.repeat)
    print(f"{'numbers + facts, no spaCy':32s} {chars / facts_only:12,.0f} chars/s   ratio to bare rjieba: "
          f"{base / facts_only:.1%}")


if __name__ == "__main__":
    main()
