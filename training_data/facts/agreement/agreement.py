"""Inter-annotator agreement of the fact gold: blind second annotations in ``agreement/<who>/`` against the gold.

Each annotator labelled 12 documents of the other's half without seeing the other's labels. A record agrees
when both give the same span, metric and value; F1 is symmetric here (neither side is the reference).
Usage: ``.venv/bin/python training_data/facts/agreement/agreement.py``
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE.parent


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] if path.exists() else []


def agreement() -> dict[str, float | int]:
    n = Counter()
    for blind_file in sorted(HERE.glob("*/*.jsonl")):
        blind, gold = _load(blind_file), _load(GOLD / blind_file.name)
        kb = Counter((r["start"], r["end"], r["metric"], r["value"]) for r in blind)
        kg = Counter((r["start"], r["end"], r["metric"], r["value"]) for r in gold)
        n["agree"] += sum((kb & kg).values())
        n["blind"] += sum(kb.values())
        n["gold"] += sum(kg.values())
        spans_b = {(r["start"], r["end"]): r["metric"] for r in blind}
        spans_g = {(r["start"], r["end"]): r["metric"] for r in gold}
        common = spans_b.keys() & spans_g.keys()
        n["same_span"] += len(common)
        n["same_span_same_metric"] += sum(spans_b[s] == spans_g[s] for s in common)
        n["docs"] += 1
    f1 = 2 * n["agree"] / max(1, n["blind"] + n["gold"])
    return {"documents": n["docs"], "records_blind": n["blind"], "records_gold": n["gold"], "agree": n["agree"],
            "f1_span_metric_value": round(f1, 3), "spans_in_both": n["same_span"],
            "metric_agreement_on_common_spans": round(n["same_span_same_metric"] / max(1, n["same_span"]), 3)}


if __name__ == "__main__":
    print(json.dumps(agreement(), indent=1))
