"""Blind double relabelling of 633 paragraph units (December 2026): agreement and how the gold changed.

Units put to two annotators (``annotator_a.jsonl``, ``annotator_b.jsonl``; neither saw the gold, the model's
output or the other's labels), by ``kind``:
- ``flag``: units where a publisher-grouped cross-validation of the model disagreed confidently with the gold
  (a different role, or a theme scored ≥ 0.6 but absent / ≤ 0.15 but present);
- ``control``: a random sample of units where model and gold agreed — how often a second look changes gold
  the model did not question (the bias of relabelling only flagged units);
- ``v2``: units of unit rule v2 that had no label of their own (pieces of an older, longer unit).
New gold: per decision (role; each theme present/absent) the majority of gold, A and B for flag/control
units (gold changes only where both annotators disagree with it); for v2 units A and B, with the old longer
unit's label breaking ties. ``before.jsonl`` holds the gold of flag/control units before the round.

    .venv/bin/python training_data/paragraphs/agreement/relabel_2026_12/summary.py
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from sklearn.metrics import cohen_kappa_score

HERE = Path(__file__).resolve().parent
THEMES = yaml.safe_load((HERE.parents[3] / "nlp" / "nianbao" / "data" / "themes.yaml").read_text(encoding="utf-8"))[
    "themes"]


def _load(name: str) -> dict[str, dict]:
    return {r["unit"]: r for r in map(json.loads, (HERE / name).read_text(encoding="utf-8").splitlines())}


def main() -> None:
    a, b, before = _load("annotator_a.jsonl"), _load("annotator_b.jsonl"), _load("before.jsonl")
    units = sorted(a)
    kinds = {k: sum(a[u]["kind"] == k for u in units) for k in ("flag", "control", "v2")}
    print(f"units: {len(units)} " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    ra, rb = [a[u]["role"] for u in units], [b[u]["role"] for u in units]
    print(f"role: A=B {sum(x == y for x, y in zip(ra, rb, strict=True)) / len(units):.3f}, "
          f"Cohen's kappa {cohen_kappa_score(ra, rb):.3f}")
    xs, ys = [], []
    for t in THEMES:
        x = [int(t in a[u]["themes"]) for u in units]
        y = [int(t in b[u]["themes"]) for u in units]
        xs += x
        ys += y
        print(f"  {t:25s} A {sum(x):4d}  B {sum(y):4d}  kappa {cohen_kappa_score(x, y):.3f}")
    print(f"themes pooled kappa {cohen_kappa_score(xs, ys):.3f}")
    for kind in ("flag", "control"):
        us = [u for u in units if a[u]["kind"] == kind and u in before]
        both_role = sum(a[u]["role"] == b[u]["role"] != before[u]["role"] for u in us)
        both_theme = sum(any((t in a[u]["themes"]) == (t in b[u]["themes"]) != (t in before[u]["themes"]) for t in THEMES)
                         for u in us)
        print(f"{kind}: {len(us)} units; both annotators against the gold on the role in {both_role} "
              f"({both_role / len(us):.1%}), on at least one theme in {both_theme} ({both_theme / len(us):.1%})")


if __name__ == "__main__":
    main()
