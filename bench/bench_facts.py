"""Throughput of the fact stage, as a ratio to bare rjieba tokenisation of the same texts.

All lines run in one process on the seeds + shared corpus. The baseline is
``rjieba.Jieba().cut`` on the normalised texts (no dictionary, no spaCy). The product
line is ``nianbao.stages.facts.run(ctx)`` with default options, exactly as the pipeline calls it
(documents read, normalised and segmented beforehand, outside the timing): rule entities
on characters + quantities + facts + result objects. The spaCy lines time the documented
tokenizer pipeline (``options={"spacy": True}`` / ``{"ner": True}``) for comparison.
Goal: product ratio >= 25%. Timings are CPU time of this process (``time.process_time``),
best of ``--repeat`` runs, so other jobs on a shared machine disturb the ratio less.

    .venv/bin/python bench/bench_facts.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from nianbao.io.readers import read
from nianbao.schema import Report
from nianbao.stages import facts, segment
from nianbao.stages.context import Context
from nianbao.stages.normalise import normalise
from timing import best_of

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _contexts(paths: list[Path]) -> list[Context]:
    out = []
    for p in paths:
        doc = read(p)
        norm = normalise(doc.text)
        report = Report(source=doc.source, media_type=doc.media_type, sha256=doc.sha256, script=norm.script)
        ctx = Context(doc=doc, norm=norm, report=report)
        segment.run(ctx)
        out.append(ctx)
    return out


def _fresh(ctxs: list[Context], options: dict[str, Any]) -> list[Context]:
    """Contexts with an empty fact/entity result, sharing the read documents."""
    return [Context(doc=c.doc, norm=c.norm, options=dict(options),
                    report=c.report.model_copy(update={"facts": [], "entities": [], "warnings": []}))
            for c in ctxs]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    import rjieba

    paths = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus" / "files").glob("r*.*"))
    ctxs = _contexts(paths)
    texts = [c.norm.text for c in ctxs]
    chars = sum(len(t) for t in texts)
    bare = rjieba.Jieba()
    for t in texts[:2]:
        bare.cut(t)
    base = best_of(lambda: [bare.cut(t) for t in texts], args.repeat, clock=time.process_time)
    print(f"texts={len(texts)} chars={chars}")
    print(f"{'bare rjieba tokenisation':40s} {chars / base:12,.0f} chars/s")

    def line(label: str, seconds: float) -> None:
        print(f"{label:40s} {chars / seconds:12,.0f} chars/s   ratio to bare rjieba: {base / seconds:6.1%}")

    for label, options in (("facts.run(ctx) default [product]", {}),
                           ("facts.run(ctx) spaCy rules pipeline", {"spacy": True}),
                           ("facts.run(ctx) spaCy + trained NER", {"ner": True})):
        for c in _fresh(ctxs[:2], options):  # warm caches and models
            facts.run(c)

        def run_all(cs: list[Context]) -> None:
            for c in cs:
                facts.run(c)

        line(label, best_of(run_all, args.repeat if "NER" not in label else 1,
                            setup=lambda options=options: _fresh(ctxs, options), clock=time.process_time))  # type: ignore[misc]
    line("numbers + facts only (no entities)", best_of(lambda: [facts.extract_facts(t) for t in texts], args.repeat,
                                                             clock=time.process_time))


if __name__ == "__main__":
    main()
