"""Score prose facts against stand-off gold (``training_data/facts``): per-metric P/R/F1.

A predicted fact matches a gold fact when metric and value are equal and the spans
(offsets into ``Document.text``) overlap; each gold fact matches at most once. Gold
files are ``<doc>.jsonl`` with fields doc,start,end,sha1,metric,value,unit,qualifier,
section; ``split.json`` lists the documents of each split. Documents are read from
the shared reference folder (seeds ``seedNNN``, corpus ``rNNN``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from nianbao.resources import repo_dir, shared_dir, shared_doc_path

REPO = repo_dir()


default_shared_dir = shared_dir
doc_path = shared_doc_path


def load_gold(data_dir: str | Path) -> dict[str, list[dict[str, Any]]]:
    gold: dict[str, list[dict[str, Any]]] = {}
    for f in sorted(Path(data_dir).glob("*.jsonl")):
        rows = [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
        gold[f.stem] = rows
    return gold


def split_docs(data_dir: str | Path, split: str, gold: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Document ids of a split (``train``/``dev``/``all``); without split.json every doc counts."""
    path = Path(data_dir) / "split.json"
    if split == "all" or not path.exists():
        return sorted(gold)
    spec = json.loads(path.read_text(encoding="utf-8"))
    ids = spec.get(split) or []
    return [d for d in ids if d in gold]


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if a is None or b is None:
        return a is b
    try:
        return abs(float(a) - float(b)) < 1e-6
    except (TypeError, ValueError):
        return a == b


def match(pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of predicted to gold facts (same metric, same value, overlapping span)."""
    used: set[int] = set()
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if j in used or p["metric"] != g["metric"] or not _same_value(p["value"], g["value"]):
                continue
            if p["start"] < g["end"] and g["start"] < p["end"]:
                used.add(j)
                pairs.append((i, j))
                break
    return pairs


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


def predict(path: Path, options: dict[str, Any] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Document text and predicted facts for one file (full pipeline up to the fact stage)."""
    from nianbao.io.readers import read
    from nianbao.pipeline import process

    doc = read(path)
    opts = {"entities": False}
    opts.update(options or {})
    report = process(doc, skip=("themes", "merge", "checks", "tables"), options=opts)
    return doc.text, [f.model_dump() for f in report.facts]


def evaluate(data_dir: str | Path, split: str = "dev", shared_dir: str | Path | None = None,
             errors: bool = False) -> dict[str, Any]:
    """Per-metric and overall P/R/F1 of the fact stage on one split of the gold data."""
    shared = Path(shared_dir) if shared_dir else default_shared_dir()
    gold_all = load_gold(data_dir)
    docs = split_docs(data_dir, split, gold_all)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, pred, gold
    err_list: list[dict[str, Any]] = []
    drift = 0
    evaluated = []
    for doc_id in docs:
        path = doc_path(doc_id, shared)
        if path is None:
            continue
        text, pred = predict(path)
        gold = gold_all[doc_id]
        for g in gold:
            sha = g.get("sha1")
            if sha and hashlib.sha1(text[g["start"]:g["end"]].encode("utf-8")).hexdigest()[:12] != sha:
                drift += 1
        pairs = match(pred, gold)
        matched_p = {i for i, _ in pairs}
        matched_g = {j for _, j in pairs}
        for i, _ in pairs:
            counts[pred[i]["metric"]][0] += 1
        for p in pred:
            counts[p["metric"]][1] += 1
        for g in gold:
            counts[g["metric"]][2] += 1
        if errors:
            for i, p in enumerate(pred):
                if i not in matched_p:
                    err_list.append({"doc": doc_id, "kind": "fp", "metric": p["metric"], "value": p["value"],
                                     "start": p["start"], "end": p["end"], "context": text[max(0, p["start"] - 25):p["end"]]})
            for j, g in enumerate(gold):
                if j not in matched_g:
                    err_list.append({"doc": doc_id, "kind": "fn", "metric": g["metric"], "value": g["value"],
                                     "start": g["start"], "end": g["end"], "context": text[max(0, g["start"] - 25):g["end"]]})
        evaluated.append(doc_id)
    per_metric = {k: _prf(*v) for k, v in sorted(counts.items())}
    tp = sum(v[0] for v in counts.values())
    npred = sum(v[1] for v in counts.values())
    ngold = sum(v[2] for v in counts.values())
    result: dict[str, Any] = {"split": split, "docs": evaluated, "overall": _prf(tp, npred, ngold),
                              "per_metric": per_metric, "span_drift": drift}
    named = {k: v for k, v in counts.items() if k != "narrative.other"}
    result["overall_without_other"] = _prf(sum(v[0] for v in named.values()), sum(v[1] for v in named.values()),
                                           sum(v[2] for v in named.values()))
    if errors:
        result["errors"] = err_list
    return result


def format_table(result: dict[str, Any]) -> str:
    lines = [f"split={result['split']} docs={len(result['docs'])} span_drift={result['span_drift']}",
             f"{'metric':50s} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'pred':>4} {'gold':>4}"]
    rows = [*result["per_metric"].items(), ("OVERALL", result["overall"]),
            ("OVERALL (without narrative.other)", result["overall_without_other"])]
    for key, m in rows:
        lines.append(f"{key:50s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
                     f"{m['tp']:4d} {m['pred']:4d} {m['gold']:4d}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nianbao.train.facts_eval", description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", nargs="?", default=str(REPO / "training_data" / "facts"))
    ap.add_argument("--split", default="dev")
    ap.add_argument("--shared", default=None)
    ap.add_argument("--errors", action="store_true", help="list false positives/negatives")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = evaluate(args.data_dir, args.split, args.shared, errors=args.errors)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    print(format_table(result))
    if args.errors:
        for e in result["errors"]:
            print(f"{e['kind']} {e['doc']} {e['metric']} {e['value']} [{e['context']}]".replace("\n", "⏎"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
