"""Inter-annotator agreement on paragraph roles and themes (issue #13: it bounds what any model can reach).

Annotator B labelled the first 50 ``pa_`` units blind (``b_on_a.jsonl``); annotator A labelled the same units as part
of ``../pages_a.jsonl``. Units are matched on ``(doc, start, end)``; a unit whose ``sha1`` differs between the files
is not compared (the two annotators saw different text). Reported: role agreement and Cohen's kappa, and per theme
Cohen's kappa on present/absent, plus a pooled theme kappa over all unit x theme decisions.

Usage: ``.venv/bin/python training_data/paragraphs/agreement/kappa.py [--write] [--before PATH]`` (``--write``
rewrites ``AGREEMENT.md`` next to this script; without it the table is printed). ``--before PATH`` adds the headline
figures of an earlier version of B's file (B's blind labels before GUIDE.md existed, e.g.
``git show a58e91e:training_data/paragraphs/agreement/b_on_a.jsonl``), so the effect of the guide is visible.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import yaml
from sklearn.metrics import cohen_kappa_score

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
B_FILE = HERE / "b_on_a.jsonl"
A_FILE = HERE.parent / "pages_a.jsonl"
LABELS = yaml.safe_load((REPO / "nlp" / "nianbao" / "data" / "themes.yaml").read_text(encoding="utf-8"))

Key = tuple[str, int, int]


def load(path: Path) -> dict[Key, dict]:
    """Records of one annotation file keyed by unit."""
    out: dict[Key, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            out[(rec["doc"], rec["start"], rec["end"])] = rec
    return out


def kappa(a: list, b: list) -> float:
    """Cohen's kappa; NaN when both raters used a single identical value (kappa undefined)."""
    if len(set(a) | set(b)) < 2:
        return math.nan
    return float(cohen_kappa_score(a, b))


def fmt(k: float) -> str:
    return "n/a" if math.isnan(k) else f"{k:.2f}"


def compare(a_recs: dict[Key, dict], b_recs: dict[Key, dict]) -> tuple[str, int]:
    """Markdown report of the agreement over the units both files hold; also returns the unit count."""
    shared = sorted(k for k in b_recs if k in a_recs and a_recs[k]["sha1"] == b_recs[k]["sha1"])
    missing = sorted(k for k in b_recs if k not in a_recs)
    drift = sorted(k for k in b_recs if k in a_recs and a_recs[k]["sha1"] != b_recs[k]["sha1"])
    n = len(shared)
    ra = [a_recs[k]["role"] for k in shared]
    rb = [b_recs[k]["role"] for k in shared]
    lines = [
        "# Paragraph annotation agreement (A vs B)",
        "",
        f"Units compared: **{n}** (B's blind set: the first {len(b_recs)} `pa_` units in id order of the v2 unit "
        f"rule; {len(missing)} not in A's file, {len(drift)} with a different span hash).",
        "Source: `b_on_a.jsonl` (B) against `../pages_a.jsonl` (A); computed by `kappa.py` (scikit-learn `cohen_kappa_score`).",
        "",
    ]
    if n == 0:
        return "\n".join([*lines, "No shared units: nothing to compare.", ""]), 0
    role_agree = sum(x == y for x, y in zip(ra, rb, strict=True)) / n
    lines += [
        "## Role",
        "",
        f"- agreement {role_agree:.2f} ({sum(x == y for x, y in zip(ra, rb, strict=True))}/{n}), "
        f"Cohen's kappa **{fmt(kappa(ra, rb))}**",
        "",
        "| A \\ B | " + " | ".join(LABELS["roles"]) + " |",
        "|---|" + "---|" * len(LABELS["roles"]),
    ]
    for r1 in LABELS["roles"]:
        row = [sum(1 for x, y in zip(ra, rb, strict=True) if x == r1 and y == r2) for r2 in LABELS["roles"]]
        lines.append(f"| {r1} | " + " | ".join(map(str, row)) + " |")
    lines += [
        "",
        "## Themes (binary present/absent per theme)",
        "",
        "| theme | A | B | both | agreement | kappa |",
        "|---|---|---|---|---|---|",
    ]
    pooled_a: list[int] = []
    pooled_b: list[int] = []
    exact = sum(set(a_recs[k]["themes"]) == set(b_recs[k]["themes"]) for k in shared)
    for theme in LABELS["themes"]:
        ta = [int(theme in a_recs[k]["themes"]) for k in shared]
        tb = [int(theme in b_recs[k]["themes"]) for k in shared]
        pooled_a += ta
        pooled_b += tb
        both = sum(x and y for x, y in zip(ta, tb, strict=True))
        agree = sum(x == y for x, y in zip(ta, tb, strict=True)) / n
        lines.append(f"| {theme} | {sum(ta)} | {sum(tb)} | {both} | {agree:.2f} | {fmt(kappa(ta, tb))} |")
    tp = sum(x and y for x, y in zip(pooled_a, pooled_b, strict=True))
    f1 = 2 * tp / (sum(pooled_a) + sum(pooled_b)) if sum(pooled_a) + sum(pooled_b) else math.nan
    lines += [
        "",
        f"- pooled over all {len(pooled_a)} unit x theme decisions: kappa **{fmt(kappa(pooled_a, pooled_b))}**, "
        f"micro-F1 of B against A {fmt(f1)}",
        f"- identical theme sets: {exact}/{n}",
        "- `n/a`: neither annotator used the theme on these units (kappa undefined); kappa on a theme used "
        "a handful of times is very unstable.",
        "",
        "## Limits",
        "",
        "- A small sample from one slice: openings of 2008-2014 reports (`pa_`), mostly overview prose, where "
        "almost every unit is an `achievement`; role kappa therefore rests on a few non-achievement units.",
        "- A wrote GUIDE.md; B read it before the final labels. Agreement under a shared written guide is the "
        "relevant bound for the model, but it is optimistic for annotators without the guide (see below).",
        "- Both annotators label the same unit spans (unit rule v2), so segmentation disagreement is not measured.",
        "",
    ]
    return "\n".join(lines), n


def headline(a_recs: dict[Key, dict], b_recs: dict[Key, dict]) -> str:
    """One line: role agreement/kappa and pooled theme kappa of a B file against A (for ``--before``)."""
    shared = sorted(k for k in b_recs if k in a_recs and a_recs[k]["sha1"] == b_recs[k]["sha1"])
    ra = [a_recs[k]["role"] for k in shared]
    rb = [b_recs[k]["role"] for k in shared]
    ta = [int(t in a_recs[k]["themes"]) for k in shared for t in LABELS["themes"]]
    tb = [int(t in b_recs[k]["themes"]) for k in shared for t in LABELS["themes"]]
    agree = sum(x == y for x, y in zip(ra, rb, strict=True))
    return (
        f"{len(shared)} units: role agreement {agree}/{len(shared)}, role kappa {fmt(kappa(ra, rb))}, "
        f"pooled theme kappa {fmt(kappa(ta, tb))}"
    )


def main(argv: list[str]) -> int:
    if not A_FILE.exists():
        print(f"{A_FILE} not found: A's labels are needed", file=sys.stderr)
        return 1
    a_recs = load(A_FILE)
    report, n = compare(a_recs, load(B_FILE))
    if "--before" in argv:
        before = Path(argv[argv.index("--before") + 1])
        report += (
            "\n## B's blind labels before GUIDE.md\n\n"
            "B labelled these units blind before the guide was committed, then applied the guide's rules once "
            "(counts of work done -> achievement, enumeration lead-ins labelled, channel lists inside publishing "
            "units -> proactive_disclosure only), still without seeing A's labels. Against A, the earlier version "
            f"gives: {headline(a_recs, load(before))}.\n"
        )
    if "--write" in argv:
        (HERE / "AGREEMENT.md").write_text(report, encoding="utf-8")
    print(report)
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
