"""Blind double relabelling of existing fact gold: agreement, and the changes the two annotators agree on.

Each folder here holds one round: ``before.jsonl`` (the gold label of every record put to the annotators, by
``iid`` = ``doc:start-end``) and ``annotator_a.jsonl`` / ``annotator_b.jsonl`` (their labels, given blind:
neither saw the gold nor the other). A record's gold changes only where both annotators agree on another
key (``OTHER_KEY`` / ``NONE`` answers never change it: those records keep their key), and never where the
change would give a part (``part_of``) its total's key: the totals-and-parts rule of ``METRICS.md`` wins.
``--apply`` writes the agreed changes into the gold files; ``--check`` verifies the gold carries them.

    .venv/bin/python training_data/facts/relabel/relabel.py [--apply] [--check]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE.parent
KEEP = {"OTHER_KEY", "NONE"}


def _load(path: Path) -> dict[str, str]:
    return {r["iid"]: r["metric"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}


def kappa(x: list[str], y: list[str]) -> float:
    n = len(x)
    po = sum(a == b for a, b in zip(x, y, strict=True)) / n
    pe = sum((x.count(c) / n) * (y.count(c) / n) for c in set(x) | set(y))
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def changes(round_dir: Path) -> dict[str, str]:
    before, a, b = (_load(round_dir / f) for f in ("before.jsonl", "annotator_a.jsonl", "annotator_b.jsonl"))
    return {i: a[i] for i in before if a.get(i) == b.get(i) and a.get(i) not in KEEP and a[i] != before[i]}


def report(round_dir: Path) -> dict[str, object]:
    before, a, b = (_load(round_dir / f) for f in ("before.jsonl", "annotator_a.jsonl", "annotator_b.jsonl"))
    ids = sorted(before)
    xa, xb, xo = [a[i] for i in ids], [b[i] for i in ids], [before[i] for i in ids]
    ch = changes(round_dir)
    return {"round": round_dir.name, "records": len(ids),
            "a_vs_b_agreement": round(sum(p == q for p, q in zip(xa, xb, strict=True)) / len(ids), 3),
            "a_vs_b_kappa": round(kappa(xa, xb), 3),
            "a_vs_before": round(sum(p == q for p, q in zip(xa, xo, strict=True)) / len(ids), 3),
            "b_vs_before": round(sum(p == q for p, q in zip(xb, xo, strict=True)) / len(ids), 3),
            "changed": len(ch),
            "changes": dict(Counter(f"{before[i]} -> {m}" for i, m in ch.items()).most_common())}


def _gold_files() -> dict[Path, list[dict]]:
    return {f: [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
            for f in sorted(GOLD.glob("*.jsonl"))}


def _iid(r: dict) -> str:
    return f"{r['doc']}:{r['start']}-{r['end']}"


def applicable(rounds: list[Path]) -> dict[str, str]:
    """The agreed changes of all rounds, less those that would give a part its total's key."""
    agreed: dict[str, str] = {}
    for r in rounds:
        agreed.update(changes(r))
    out = {}
    for rows in _gold_files().values():
        by_start = {r["start"]: r for r in rows}
        for r in rows:
            new = agreed.get(_iid(r))
            if new is None:
                continue
            total = by_start.get(r["part_of"]) if r.get("part_of") is not None else None
            if total is not None and agreed.get(_iid(total), total["metric"]) == new:
                continue
            out[_iid(r)] = new
    return out


def apply(rounds: list[Path]) -> int:
    todo = applicable(rounds)
    n = 0
    for f, rows in _gold_files().items():
        hit = [r for r in rows if r["metric"] != todo.get(_iid(r), r["metric"])]
        for r in hit:
            r["metric"] = todo[_iid(r)]
        if hit:
            f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
            n += len(hit)
    return n


def check(rounds: list[Path]) -> list[str]:
    gold = {_iid(r): r["metric"] for rows in _gold_files().values() for r in rows}
    return [f"{i} is {gold.get(i)}, agreed {m}" for i, m in applicable(rounds).items() if gold.get(i) != m]


if __name__ == "__main__":
    rounds = sorted(p for p in HERE.iterdir() if (p / "before.jsonl").exists())
    if "--apply" in sys.argv:
        print(f"applied {apply(rounds)} changes")
    problems = check(rounds) if "--check" in sys.argv else []
    for r in rounds:
        print(json.dumps(report(r), ensure_ascii=False, indent=1))
    for msg in problems:
        print("NOT APPLIED", msg)
    sys.exit(1 if problems else 0)
