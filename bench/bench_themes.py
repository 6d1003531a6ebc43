"""Throughput of paragraph classification (role + themes) with the shipped model.

Classifies every self-written training paragraph (and, when ../shared exists, every
prose paragraph of the seeds and corpus found by the segmenter) in batches and one at
a time, with the compiled numpy-only model the pipeline uses (``model.npz``) and with
the scikit-learn original (``model.skops``), and prints paragraphs/s, the ratio, the
import + load times of each, and the largest score difference between the two. Also
prints the segmenter's paragraphs/s on the shared documents.

    .venv/bin/python bench/bench_themes.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from nianbao.io.readers import read
from nianbao.pipeline import process
from nianbao.stages.context import Context
from nianbao.stages.normalise import normalise
from nianbao.stages.paragraphs import paragraphs
from nianbao.stages.themes import COMPILED_FILE, MODEL_FILE, CompiledModel, Item, ThemeModel, default_model_dir, feature_text
from timing import best_of

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


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
    d = default_model_dir()
    t0 = time.perf_counter()
    compiled = CompiledModel.load(d)
    compiled_load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    import scipy.sparse  # noqa: F401
    import sklearn.calibration
    import sklearn.feature_extraction.text  # noqa: F401
    import skops.io  # noqa: F401

    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sk = ThemeModel.load(d)
    load_s = time.perf_counter() - t0
    items, ctxs = _items()
    print(f"compiled model ({COMPILED_FILE}, {(d / COMPILED_FILE).stat().st_size / 1e6:.1f} MB, numpy only): "
          f"load {compiled_load_s:.2f} s")
    print(f"scikit-learn model ({MODEL_FILE}, {(d / MODEL_FILE).stat().st_size / 1e6:.1f} MB): "
          f"imports (sklearn/scipy/skops) {import_s:.2f} s + load {load_s:.2f} s")
    rates: dict[str, tuple[float, float]] = {}
    for name, model in (("compiled", compiled), ("scikit-learn", sk)):
        model.predict(items[:8])  # warm-up
        batch = best_of(lambda m=model: m.predict(items), args.repeat)  # type: ignore[misc]
        single = best_of(lambda m=model: [m.predict([it]) for it in items[:100]], 1)  # type: ignore[misc]
        rates[name] = (len(items) / batch, 100 / single)
        print(f"{name:13} batched: {len(items)} paragraphs in {batch:.3f} s = {rates[name][0]:,.0f} paragraphs/s; "
              f"one at a time: {rates[name][1]:,.0f} paragraphs/s")
    print(f"compiled / scikit-learn: batched x{rates['compiled'][0] / rates['scikit-learn'][0]:.1f}, "
          f"one at a time x{rates['compiled'][1] / rates['scikit-learn'][1]:.1f}")
    (a_t, a_r), (b_t, b_r) = sk.proba(items), compiled.proba(items)
    same = [(p.role, p.themes) for p in sk.predict(items)] == [(p.role, p.themes) for p in compiled.predict(items)]
    print(f"max |score difference|: themes {abs(a_t - b_t).max():.1e}, roles {abs(a_r - b_r).max():.1e}; "
          f"labels identical: {same}")
    if ctxs:
        seg = best_of(lambda: [paragraphs(c) for c in ctxs], args.repeat)
        n = sum(len(paragraphs(c)) for c in ctxs)
        print(f"segmentation: {len(ctxs)} documents, {n} paragraphs in {seg:.3f} s = {n / seg:,.0f} paragraphs/s")


if __name__ == "__main__":
    main()
