"""Throughput of paragraph classification (role + themes) with the shipped model.

Classifies every self-written training paragraph (and, when ../shared exists, every
prose paragraph of the seeds and corpus found by the segmenter) in batches and one at
a time, and prints paragraphs/s plus the model load time. Also prints the segmenter's
paragraphs/s on the shared documents.

    .venv/bin/python bench/bench_themes.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from nianbao.context import Context
from nianbao.normalise import normalise
from nianbao.paragraphs import paragraphs
from nianbao.pipeline import process
from nianbao.readers import read
from nianbao.themes import Item, ThemeModel, default_model_dir, feature_text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _items() -> tuple[list[Item], list[Context]]:
    items: list[Item] = []
    for line in (ROOT / "training_data" / "paragraphs" / "synthetic.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        items.append(Item(text=feature_text(normalise(r["text"]).text), section=r["section"], format_id=r["format_id"]))
    ctxs: list[Context] = []
    if SHARED.is_dir():
        files = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus" / "files").glob("r*"))
        for f in files:
            doc = read(f)
            report = process(doc, skip=["tables", "checks", "facts", "themes", "merge"])
            ctx = Context(doc=doc, norm=normalise(doc.text), report=report)
            ctxs.append(ctx)
            for sp in paragraphs(ctx):
                ns, ne = ctx.norm_pos(sp.start), ctx.norm_pos(sp.end)
                items.append(Item(text=feature_text(ctx.norm.text[ns:ne]), section=sp.section,
                                  format_id=report.format_id))
    return items, ctxs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    t0 = time.perf_counter()
    import scipy.sparse  # noqa: F401
    import sklearn.calibration
    import sklearn.feature_extraction.text  # noqa: F401
    import skops.io  # noqa: F401

    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = ThemeModel.load(default_model_dir())
    load_s = time.perf_counter() - t0
    items, ctxs = _items()
    model.predict(items[:8])  # warm-up
    batch = _best(lambda: model.predict(items), args.repeat)
    single = _best(lambda: [model.predict([it]) for it in items[:100]], 1)
    size = (default_model_dir() / "model.skops").stat().st_size / 1e6
    print(f"imports (sklearn/scipy/skops): {import_s:.2f} s; model load: {load_s:.2f} s ({size:.1f} MB)")
    print(f"classification, batched: {len(items)} paragraphs in {batch:.3f} s = {len(items) / batch:,.0f} paragraphs/s")
    print(f"classification, one at a time: {100 / single:,.0f} paragraphs/s")
    if ctxs:
        seg = _best(lambda: [paragraphs(c) for c in ctxs], args.repeat)
        n = sum(len(paragraphs(c)) for c in ctxs)
        print(f"segmentation: {len(ctxs)} documents, {n} paragraphs in {seg:.3f} s = {n / seg:,.0f} paragraphs/s")


if __name__ == "__main__":
    main()
