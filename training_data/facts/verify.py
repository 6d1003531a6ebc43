"""Check the narrative-fact gold in this directory (``<doc>.jsonl``, ``split.json``, ``METRICS.md``).

Each record is stand-off: ``{"doc", "start", "end", "sha1", "metric", "value", "unit", "qualifier",
"section"}`` with character offsets into ``nianbao.readers.read(path).text``. Structure, keys (listed in
METRICS.md or in spec §6.1), qualifiers, sections, duplicates and the train/dev split are always checked;
when the shared reference tree exists, each document is re-read and offsets and span hashes are checked
too, so drift in the readers or in the files is caught.

Prints counts per document, metric and split; exits 1 on any error so it can gate a commit.
Usage: ``.venv/bin/python training_data/facts/verify.py [doc ids...]`` (default: every ``*.jsonl`` here).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.resources import load_yaml, shared_doc_path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"

QUALIFIERS = {"exact", "approx", "at_least", "at_most"}
SECTIONS = {"preamble", *load_yaml("sections.yaml")["sections"]}  # the segmenter's keys
FIELDS = {"doc", "start", "end", "sha1", "metric", "value", "unit", "qualifier", "section"}
DOC_ID = re.compile(r"^(seed\d{3}|r\d{3})$")
SHA = re.compile(r"^[0-9a-f]{12}$")
KEY = re.compile(r"narrative(?:\.[a-z_]+)+")


@dataclass
class Result:
    """Outcome of a verification run: errors plus counts for the summary."""

    errors: list[str] = field(default_factory=list)
    per_doc: Counter[str] = field(default_factory=Counter)
    per_metric: Counter[str] = field(default_factory=Counter)
    per_split: Counter[str] = field(default_factory=Counter)
    checked_text: bool = False


def metrics_md_keys(path: Path) -> set[str]:
    """Keys in the first column of the tables in METRICS.md (backticked)."""
    keys: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*`(narrative[a-z_.]+)`\s*\|", line)
        if m:
            keys.add(m.group(1))
    return keys


def spec_keys(spec: Path) -> set[str]:
    """Keys of spec §6.1, expanding the ``key / .sibling`` shorthand used in its table."""
    keys: set[str] = set()
    if not spec.is_file():
        return keys
    text = spec.read_text(encoding="utf-8")
    start = text.find("### 6.1")
    end = text.find("### 6.2", start)
    for line in text[start:end].splitlines():
        if not line.startswith("| narrative"):
            continue
        cell = line.split("|")[1]
        base = ""
        for part in (p.strip() for p in cell.split("/")):
            if part.startswith("narrative."):
                base = part
                keys.add(part)
            elif part.startswith(".") and base:
                keys.add(base.rsplit(".", 1)[0] + part)
    return keys


def check_record(rec: object, doc: str, where: str, keys: set[str], errors: list[str]) -> bool:
    """Structural checks of one record; False when it is too broken to check further."""
    if not isinstance(rec, dict):
        errors.append(f"{where}: not an object")
        return False
    if set(rec) != FIELDS:
        errors.append(f"{where}: fields {sorted(set(rec) ^ FIELDS)} missing or extra")
        return False
    if rec["doc"] != doc:
        errors.append(f"{where}: doc {rec['doc']!r} does not match file name")
    s, e = rec["start"], rec["end"]
    if not (isinstance(s, int) and isinstance(e, int) and not isinstance(s, bool) and 0 <= s < e):
        errors.append(f"{where}: bad offsets {s!r}..{e!r}")
        return False
    if not (isinstance(rec["sha1"], str) and SHA.match(rec["sha1"])):
        errors.append(f"{where}: sha1 must be 12 lowercase hex digits")
    if rec["metric"] not in keys:
        errors.append(f"{where}: metric {rec['metric']!r} not in METRICS.md or spec §6.1")
    v = rec["value"]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        errors.append(f"{where}: value must be a non-negative number, got {v!r}")
    if rec["unit"] is not None and not (isinstance(rec["unit"], str) and rec["unit"].strip()):
        errors.append(f"{where}: unit must be a non-empty string or null")
    if rec["qualifier"] not in QUALIFIERS:
        errors.append(f"{where}: qualifier {rec['qualifier']!r} not in {sorted(QUALIFIERS)}")
    if rec["section"] not in SECTIONS:
        errors.append(f"{where}: section {rec['section']!r} unknown")
    return True


def verify(docs: list[str] | None = None, here: Path = HERE, shared: Path = SHARED) -> Result:
    """Check the gold files under ``here``; re-read documents from ``shared`` when it exists."""
    res = Result()
    keys = metrics_md_keys(here / "METRICS.md") | spec_keys(shared / "spec" / "report-format.md")
    files = sorted(here.glob("*.jsonl"))
    all_docs = [f.stem for f in files]
    wanted = docs or all_docs
    reader = None
    if shared.is_dir():
        from nianbao.readers import read as reader

        res.checked_text = True
    for doc in wanted:
        if not DOC_ID.match(doc):
            res.errors.append(f"{doc}: not a document id")
            continue
        path = here / f"{doc}.jsonl"
        if not path.is_file():
            res.errors.append(f"{doc}: no {path.name}")
            continue
        text = None
        if reader is not None:
            src = shared_doc_path(doc, shared)
            if src is None:
                res.errors.append(f"{doc}: source file not found under {shared}")
            else:
                text = reader(src).text
        seen: set[tuple[int, int, str]] = set()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{doc}:{n}"
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                res.errors.append(f"{where}: bad JSON ({exc})")
                continue
            if not check_record(rec, doc, where, keys, res.errors):
                continue
            k = (rec["start"], rec["end"], rec["metric"])
            if k in seen:
                res.errors.append(f"{where}: duplicate record {k}")
            seen.add(k)
            if text is not None:
                if rec["end"] > len(text):
                    res.errors.append(f"{where}: end {rec['end']} beyond text length {len(text)}")
                else:
                    span = text[rec["start"] : rec["end"]]
                    if hashlib.sha1(span.encode("utf-8")).hexdigest()[:12] != rec["sha1"]:
                        res.errors.append(f"{where}: sha1 mismatch (text drifted or offsets wrong)")
                    if span != span.strip():
                        res.errors.append(f"{where}: span has surrounding whitespace")
            res.per_doc[doc] += 1
            res.per_metric[rec["metric"]] += 1
    check_split(here / "split.json", all_docs, res)
    return res


def check_split(path: Path, all_docs: list[str], res: Result) -> None:
    """split.json must put every annotated document in exactly one of train/dev."""
    if not path.is_file():
        res.errors.append("split.json missing")
        return
    split = json.loads(path.read_text(encoding="utf-8"))
    if set(split) != {"train", "dev"}:
        res.errors.append("split.json must have exactly the keys train and dev")
        return
    train, dev = set(split["train"]), set(split["dev"])
    if train & dev:
        res.errors.append(f"split.json: in both train and dev: {sorted(train & dev)}")
    missing = set(all_docs) - train - dev
    extra = (train | dev) - set(all_docs)
    if missing:
        res.errors.append(f"split.json: documents not assigned: {sorted(missing)}")
    if extra:
        res.errors.append(f"split.json: documents without a gold file: {sorted(extra)}")
    for name, ids in (("train", train), ("dev", dev)):
        res.per_split[name] = sum(res.per_doc[d] for d in ids)


def main(argv: list[str]) -> int:
    """Run the checks, print a summary, return the exit code."""
    res = verify(argv or None)
    print(f"text checks: {'on' if res.checked_text else 'off (shared tree absent)'}")
    print(f"{sum(res.per_doc.values())} facts in {len(res.per_doc)} documents")
    for doc, n in sorted(res.per_doc.items()):
        print(f"  {doc:<8} {n:4d}")
    print("per metric:")
    for metric, n in res.per_metric.most_common():
        print(f"  {metric:<46} {n:4d}")
    print("per split: " + ", ".join(f"{k} {v}" for k, v in sorted(res.per_split.items())))
    for err in res.errors:
        print("ERROR", err)
    return 1 if res.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
