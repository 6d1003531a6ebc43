"""Train the fact classifier (``models/facts``) from stand-off gold, self-written sentences and table labels.

Examples are the candidate numbers of :func:`nianbao.stages.facts.candidates` (the exact features the
pipeline computes). A candidate's label is the metric of the gold record its span overlaps, else
``none``. Three sources:

- **gold**: ``training_data/facts/<doc>.jsonl`` over the shared reports, seeds and report openings;
- **self-written**: ``training_data/facts/selfwritten.yaml``, sentences written for this project with
  the (metric, value) pairs they state (training only, never scored);
- **tables**: in a report without gold, a prose number equal to a table cell that ``data/merge.yaml``
  links to a metric, or to a legacy statistics row (``data/facts_model.yaml: legacy_labels``), gets that
  metric; only such numbers are used (the other numbers of the report are not known to be ``none``).

The classifier is scikit-learn's linear SVM (``LinearSVC``, C=0.1; logistic regression scored the
same in grouped CV and trains 3x slower) over a ``DictVectorizer``; its weights are exported to a plain
numpy file (:class:`nianbao.stages.fact_model.FactModel`). ``nianbao train facts`` runs
:func:`nianbao.train.facts_release.train` (fit on everything, grouped CV, model card).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nianbao.resources import load_yaml, repo_dir, shared_doc_path
from nianbao.stages.fact_model import NONE, FactModel
from nianbao.train.common import publisher

GOLD_DIR = repo_dir() / "training_data" / "facts"
SELF_WRITTEN = "selfwritten.yaml"
SELF_WRITTEN_GLOB = "selfwritten*.yaml"  # selfwritten.yaml, selfwritten_2.yaml, …
PAGE = re.compile(r"^p[a-d]_\d+$")


@dataclass
class Example:
    features: dict[str, float]
    label: str
    value: Any
    start: int
    end: int
    cand: Any = None  # the stage's Candidate (list position, sentence) so evaluation links parts as the stage does


@dataclass
class DocData:
    """One document's candidates with labels, plus the rules' facts and the zero statements."""

    doc: str
    group: str
    source: str  # gold | selfwritten | tables
    examples: list[Example]
    zeros: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    gold: list[dict[str, Any]] = field(default_factory=list)
    text_sha: str = ""


def load_gold(data_dir: str | Path = GOLD_DIR) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for f in sorted(Path(data_dir).glob("*.jsonl")):
        out[f.stem] = [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def group_of(doc: str) -> str:
    """Publisher group for grouped CV (``training_data/groups.tsv``; an unlisted document is its own group)."""
    return publisher(doc)


def _context(doc_id: str | None, text: str | None = None, tables: bool = False) -> Any:
    from nianbao.io.readers import read, read_bytes
    from nianbao.schema import Report
    from nianbao.stages import segment
    from nianbao.stages.context import Context
    from nianbao.stages.normalise import normalise

    if doc_id is not None:
        path = shared_doc_path(doc_id)
        if path is None:
            return None
        doc = read(path)
    else:
        doc = read_bytes((text or "").encode("utf-8"), "<text>", ".txt")
    norm = normalise(doc.text)
    report = Report(source=doc.source, media_type=doc.media_type, sha256=doc.sha256, script=norm.script)
    ctx = Context(doc=doc, norm=norm, report=report)
    segment.run(ctx)
    if tables:
        from nianbao.stages import tables as tables_stage

        tables_stage.run(ctx)
    return ctx


def _cands(ctx: Any) -> tuple[Any, list[Any], list[dict[str, Any]], list[dict[str, Any]]]:
    from nianbao.stages import facts

    inp = facts.inputs(ctx)
    cands = facts.candidates(inp.norm.text, inp.quantities, inp.section_of, inp.skip, inp.fmt)
    rules, zeros = [], []
    for key, q in facts.extract_facts(inp.norm.text, inp.quantities, section_of=inp.section_of, skip=inp.skip,
                                      fmt=inp.fmt):
        s, e = inp.norm.span(q.start, q.end)
        row = {"metric": key, "value": q.value, "start": s, "end": e}
        rules.append(row)
        if q.kind == "zero":
            zeros.append(row)
    return inp.norm, cands, zeros, rules


def _label(s: int, e: int, value: Any, gold: list[dict[str, Any]]) -> str:
    best, overlap = NONE, 0
    for g in gold:
        o = min(e, g["end"]) - max(s, g["start"])
        if g["value"] == 0 and g.get("unit") is None and value != 0:
            continue  # a zero statement's span may cover a number; it is not that number's label
        if o > overlap:
            best, overlap = g["metric"], o
    return best


def gold_doc(doc: str, gold: list[dict[str, Any]]) -> DocData | None:
    ctx = _context(doc)
    if ctx is None:
        return None
    norm, cands, zeros, rules = _cands(ctx)
    ex = []
    for c in cands:
        s, e = norm.span(c.q.start, c.q.end)
        ex.append(Example(c.features, _label(s, e, c.q.value, gold), c.q.value, s, e, c))
    return DocData(doc, group_of(doc), "gold", ex, zeros, rules, gold,
                   hashlib.sha1(ctx.doc.text.encode("utf-8")).hexdigest()[:12])


def self_written(path: str | Path | None = None, prefix: str = "self") -> list[DocData]:
    """Self-written sentences (``text`` + ``facts: [[metric, value], ...]``): each number whose value a
    listed fact states gets its metric (in order), every other number is ``none``."""
    import yaml

    p = Path(path) if path else GOLD_DIR / SELF_WRITTEN
    if not p.exists():
        return []
    out = []
    for i, item in enumerate(yaml.safe_load(p.read_text(encoding="utf-8")) or []):
        ctx = _context(None, item["text"])
        norm, cands, _, _ = _cands(ctx)
        wanted = [(str(m), v) for m, v in item.get("facts") or []]
        ex = []
        for c in cands:
            s, e = norm.span(c.q.start, c.q.end)
            hit = next((j for j, (_, v) in enumerate(wanted) if _same(v, c.q.value)), None)
            label = NONE if hit is None else wanted.pop(hit)[0]
            ex.append(Example(c.features, label, c.q.value, s, e, c))
        out.append(DocData(f"{prefix}{i:03d}", f"{prefix}{i:03d}", "selfwritten", ex))
    return out


def _same(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - float(b)) < 1e-6
    except (TypeError, ValueError):
        return False


def table_labels(ctx: Any) -> dict[float, str]:
    """value → metric from the report's own tables, for values that only one metric states."""
    from nianbao.stages.merge import settings, table_value

    cfg = load_yaml("facts_model.yaml")
    floor = float(cfg.get("weak_label_min_value", 3))
    found: dict[float, set[str]] = {}
    for rule in settings().rules:
        metric = rule.facts[0]
        for alt in rule.table:
            tv = table_value(ctx.report.tables, alt)
            if tv is not None:
                found.setdefault(float(tv.value), set()).add(metric)
                break
    pats = [(re.compile(p), m) for p, m in (cfg.get("legacy_labels") or {}).items()]
    for row in ctx.report.legacy_stats:
        value = row.get("value")
        if "累计" in str(row.get("column") or "") or row.get("status") != "ok" or not isinstance(value, int | float):
            continue
        for rx, m in pats:
            if rx.search(str(row.get("label") or "")):
                found.setdefault(float(value), set()).add(m)
    return {v: next(iter(ms)) for v, ms in found.items() if len(ms) == 1 and v >= floor}


def table_doc(doc: str) -> DocData | None:
    """Labels from the report's tables (only the numbers equal to a linked cell)."""
    ctx = _context(doc, tables=True)
    if ctx is None:
        return None
    labels = table_labels(ctx)
    if not labels:
        return None
    norm, cands, _, _ = _cands(ctx)
    ex = []
    for c in cands:
        v = c.q.value
        if isinstance(v, int | float) and float(v) in labels and c.q.unit not in ("%", None):
            s, e = norm.span(c.q.start, c.q.end)
            ex.append(Example(c.features, labels[float(v)], v, s, e))
    return DocData(doc, group_of(doc), "tables", ex) if ex else None


def table_label_precision(docs: Iterable[DocData]) -> dict[str, int]:
    """How often a table label agrees with the gold label of the same number (docs with both)."""
    counts: Counter[str] = Counter()
    for d in docs:
        td = table_doc(d.doc)
        if td is None:
            continue
        gold = {(e.start, e.end): e.label for e in d.examples}
        for e in td.examples:
            counts["labels"] += 1
            counts["agree" if gold.get((e.start, e.end)) == e.label else "disagree"] += 1
    return dict(counts)


def single_valued(docs: Iterable[DocData], min_docs: int = 10, share: float = 0.95) -> list[str]:
    """Metrics that annotated reports state with one value: in at least ``min_docs`` gold documents
    and with a single distinct value in at least ``share`` of them (a report's total of requests,
    of items published…; categories and parts have many)."""
    values: dict[str, dict[str, set[Any]]] = {}
    for d in docs:
        if d.source != "gold":
            continue
        for e in d.examples:
            if e.label != NONE:
                values.setdefault(e.label, {}).setdefault(d.doc, set()).add(e.value)
    return sorted(k for k, per_doc in values.items()
                  if len(per_doc) >= min_docs and sum(len(v) == 1 for v in per_doc.values()) >= share * len(per_doc))


def fit(docs: Iterable[DocData], C: float = 0.1, kind: str = "svm") -> FactModel:
    """A linear model over every example of ``docs``, exported to :class:`FactModel`."""
    from sklearn.feature_extraction import DictVectorizer

    docs = list(docs)
    rows = [e for d in docs for e in d.examples]
    vec = DictVectorizer()
    X = vec.fit_transform([e.features for e in rows])
    X.indices = X.indices.astype(np.int32)
    X.indptr = X.indptr.astype(np.int32)
    y = [e.label for e in rows]
    classes = sorted(set(y))
    if len(classes) == 1:
        w = np.zeros((X.shape[1], 1), dtype=np.float32)
        return FactModel(dict(vec.vocabulary_), w, np.zeros(1, dtype=np.float32), classes)
    if kind == "svm":
        from sklearn.svm import LinearSVC

        clf: Any = LinearSVC(C=C, random_state=0)
    else:
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=C, max_iter=2000)
    clf.fit(X, y)
    coef = clf.coef_
    bias = clf.intercept_
    cls = [str(c) for c in clf.classes_]
    if len(cls) == 2:  # binary models keep one row: expand to one column per class
        coef = np.vstack([-coef[0], coef[0]])
        bias = np.array([-bias[0], bias[0]])
    return FactModel(dict(vec.vocabulary_), np.asarray(coef.T, dtype=np.float32), np.asarray(bias, dtype=np.float32),
                     cls, single_valued=single_valued(docs))


def build(data_dir: str | Path = GOLD_DIR, tables: bool = True, selfwritten: bool = True) -> list[DocData]:
    """Every training document: gold, self-written and (for reports without gold) table labels."""
    gold = load_gold(data_dir)
    docs = [d for doc, recs in gold.items() if (d := gold_doc(doc, recs)) is not None]
    if selfwritten:
        for path in sorted(Path(data_dir).glob(SELF_WRITTEN_GLOB)):
            docs += self_written(path, prefix=path.stem)
    if tables:
        from nianbao.resources import shared_dir

        root = shared_dir()
        ids = [p.stem for p in sorted((root / "corpus" / "pages").glob("p*_*.txt"))] if root.is_dir() else []
        ids += [p.stem for p in sorted((root / "corpus" / "files").glob("r*.*"))] if root.is_dir() else []
        for doc in ids:
            if doc not in gold and (td := table_doc(doc)) is not None:
                docs.append(td)
    return docs
