"""Check the narrative-fact gold in this directory (``<doc>.jsonl``, ``split.json``, ``METRICS.md``).

Each record is stand-off: ``{"doc", "start", "end", "sha1", "metric", "value", "unit", "qualifier",
"section"}`` with character offsets into ``nianbao.io.readers.read(path).text``. Structure, keys (listed in
METRICS.md or in spec §6.1), qualifiers, sections, duplicates and the train/dev split are always checked;
when the shared reference tree exists, each document is re-read and offsets and span hashes are checked
too, so drift in the readers or in the files is caught.

Report openings (``pa_…``–``pd_…``) are read from the frozen snapshot ``/work/baseline/texts/<id>.txt`` when
it exists (the package reader otherwise); if ``nianbao`` cannot be imported (package restructure) the snapshot
is used for every document, so the gold stays checkable. An optional ``part_of`` field links a part to its
total: the start offset of the total's record in the same document, whose key the part must not carry.
Pages are evaluated by publisher-grouped CV, so only seeds and corpus reports must be listed in split.json.

Prints counts per document, metric and split; exits 1 on any error so it can gate a commit.
Usage: ``.venv/bin/python training_data/facts/verify.py [--dir DIR] [doc ids...]`` (default: every
``*.jsonl`` here; ``--dir`` checks another folder of the same format, e.g. ``agreement/a``, without split).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
SNAPSHOT = Path("/work/baseline")  # frozen texts (texts/<id>.txt) and id → source map (paths.json)

try:  # the package may be mid-restructure; the snapshot keeps the gold checkable meanwhile
    from nianbao.resources import load_yaml, shared_doc_path
except ImportError:  # pragma: no cover - only during a restructure
    load_yaml = shared_doc_path = None  # type: ignore[assignment]


def section_keys() -> set[str]:
    """The segmenter's section keys (sections.yaml), found without the package when it cannot be imported."""
    if load_yaml is not None:
        try:
            return {"preamble", *load_yaml("sections.yaml")["sections"]}
        except (OSError, KeyError):
            pass
    import yaml

    for path in sorted((REPO / "nlp").rglob("sections.yaml")):
        return {"preamble", *yaml.safe_load(path.read_text(encoding="utf-8"))["sections"]}
    raise SystemExit("sections.yaml not found")


QUALIFIERS = {"exact", "approx", "at_least", "at_most"}
SECTIONS = section_keys()
FIELDS = {"doc", "start", "end", "sha1", "metric", "value", "unit", "qualifier", "section"}
OPTIONAL = {"part_of"}  # start offset of the total this record is a part of
DOC_ID = re.compile(r"^(seed\d{3}|r\d{3}|p[abcd]_\d+)$")
PAGE_ID = re.compile(r"^p[abcd]_\d+$")
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
    if not FIELDS <= set(rec) <= FIELDS | OPTIONAL:
        errors.append(f"{where}: fields {sorted((set(rec) - OPTIONAL) ^ FIELDS)} missing or extra")
        return False
    p = rec.get("part_of")
    if "part_of" in rec and (not isinstance(p, int) or isinstance(p, bool) or p < 0):
        errors.append(f"{where}: part_of must be the start offset of the total's record, got {p!r}")
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


def text_loader(shared: Path, snapshot: Path = SNAPSHOT) -> Callable[[str], str | None] | None:
    """A function doc id → document text, or None when no source of texts exists.

    Pages come from the snapshot first (their offsets were written against it); seeds and corpus reports are
    re-read with the package reader so reader drift is caught, falling back to the snapshot without it.
    """
    reader: Callable[[Path], Any] | None = None
    try:
        from nianbao.io.readers import read as reader
    except ImportError:  # pragma: no cover - only during a restructure
        reader = None
    texts = snapshot / "texts"
    paths_file = snapshot / "paths.json"
    paths: dict[str, str] = json.loads(paths_file.read_text(encoding="utf-8")) if paths_file.is_file() else {}
    if not shared.is_dir() and not texts.is_dir():
        return None

    def source(doc: str) -> Path | None:
        if doc in paths and Path(paths[doc]).is_file():
            return Path(paths[doc])
        if PAGE_ID.match(doc):
            page = shared / "corpus" / "pages" / f"{doc}.txt"
            return page if page.is_file() else None
        return shared_doc_path(doc, shared) if shared_doc_path is not None else None

    def load(doc: str) -> str | None:
        snap = texts / f"{doc}.txt"
        if snap.is_file() and (PAGE_ID.match(doc) or reader is None):
            return snap.read_text(encoding="utf-8")
        src = source(doc)
        if reader is not None and src is not None:
            return reader(src).text
        return snap.read_text(encoding="utf-8") if snap.is_file() else None

    return load


def verify(docs: list[str] | None = None, here: Path = HERE, shared: Path = SHARED, split: bool = True) -> Result:
    """Check the gold files under ``here``; re-read documents (snapshot or ``shared``) when available."""
    res = Result()
    manual = here / "METRICS.md" if (here / "METRICS.md").is_file() else HERE / "METRICS.md"
    keys = metrics_md_keys(manual) | spec_keys(shared / "spec" / "report-format.md")
    files = sorted(here.glob("*.jsonl"))
    all_docs = [f.stem for f in files]
    wanted = docs or all_docs
    load = text_loader(shared)
    res.checked_text = load is not None
    for doc in wanted:
        if not DOC_ID.match(doc):
            res.errors.append(f"{doc}: not a document id")
            continue
        path = here / f"{doc}.jsonl"
        if not path.is_file():
            res.errors.append(f"{doc}: no {path.name}")
            continue
        text = None
        if load is not None:
            text = load(doc)
            if text is None:
                res.errors.append(f"{doc}: source text not found (snapshot or {shared})")
        seen: set[tuple[int, int, str]] = set()
        records: list[tuple[str, dict[str, Any]]] = []
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
            records.append((where, rec))
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
        check_parts(records, res.errors)
        if not records:
            res.per_doc[doc] += 0  # an empty file is a document annotated with nothing to annotate
    if split:
        check_split(here / "split.json", all_docs, res)
    return res


def check_parts(records: list[tuple[str, dict[str, Any]]], errors: list[str]) -> None:
    """``part_of`` must name an earlier record of the same document whose key the part does not repeat."""
    totals: dict[int, set[str]] = {}
    for _, rec in records:
        totals.setdefault(rec["start"], set()).add(rec["metric"])
    for where, rec in records:
        if "part_of" not in rec or not isinstance(rec["part_of"], int):
            continue
        total = rec["part_of"]
        if total not in totals:
            errors.append(f"{where}: part_of {total} is not the start of a record in this document")
        elif total >= rec["start"]:
            errors.append(f"{where}: part_of {total} does not precede the part at {rec['start']}")
        elif rec["metric"] in totals[total]:
            errors.append(f"{where}: a part must not carry its total's key {rec['metric']!r}")


def check_split(path: Path, all_docs: list[str], res: Result) -> None:
    """split.json must put every annotated seed/corpus document in one of train/dev (pages optionally)."""
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
    missing = {d for d in all_docs if not PAGE_ID.match(d)} - train - dev
    extra = (train | dev) - set(all_docs)
    if missing:
        res.errors.append(f"split.json: documents not assigned: {sorted(missing)}")
    if extra:
        res.errors.append(f"split.json: documents without a gold file: {sorted(extra)}")
    for name, ids in (("train", train), ("dev", dev)):
        res.per_split[name] = sum(res.per_doc[d] for d in ids)


def main(argv: list[str]) -> int:
    """Run the checks, print a summary, return the exit code."""
    here = HERE
    if argv[:1] == ["--dir"] and len(argv) > 1:
        here, argv = Path(argv[1]).resolve(), argv[2:]
    res = verify(argv or None, here=here, split=here == HERE)
    print(f"text checks: {'on' if res.checked_text else 'off (no snapshot or shared tree)'}")
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
