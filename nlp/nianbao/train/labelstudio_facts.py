"""Label Studio round trip for prose facts: numbers pre-labelled with the model's metric out, gold in.

Export: one task per report (``data.text`` = ``Document.text``, so Label Studio offsets are our offsets)
whose prediction marks every fact the pipeline found as a ``labels`` span carrying its metric key, and
every part of a stated total as a ``relation`` from the part to its total. Annotators fix labels, add
missed numbers (and zero statements, spanning the negation through the object) and draw part → total
relations. :func:`labeling_config` writes the matching ``<View>``.

Import: a Label Studio JSON export becomes stand-off gold in the format of ``training_data/facts``
(``doc``, offsets, ``sha1``, metric, value, unit, qualifier, section, optional ``part_of``): the value,
unit and qualifier are parsed from the span by the number finder, the section comes from the segmenter.
The span text is never stored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from nianbao.errors import NianbaoError
from nianbao.resources import load_yaml
from nianbao.train.labelstudio import span_sha1

FROM_NAME, TO_NAME = "metric", "text"
NEGATION = re.compile(r"未|无|没有|不存在|零")


def metric_keys() -> list[str]:
    """Every key an annotator may choose: the rules' metric keys, ``narrative.part`` and the §6.1 keys."""
    keys = [k for k in load_yaml("metrics.yaml")["metrics"] if not k.startswith("~")]
    extra = [k for k in [*load_yaml("facts_model.yaml")["spec_keys"], "narrative.part"] if k not in keys]
    return sorted(keys + extra)


def labeling_config() -> str:
    labels = "\n".join(f"    <Label value={quoteattr(k)}/>" for k in metric_keys())
    return ("<View>\n"
            '  <Header value="$doc"/>\n'
            f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n{labels}\n  </Labels>\n'
            f'  <Relations>\n    <Relation value="part_of"/>\n  </Relations>\n'
            f'  <Text name="{TO_NAME}" value="$text" granularity="symbol"/>\n'
            "</View>\n")


def task_for(doc_text: str, facts: list[Any], doc_id: str, model_version: str = "nianbao-facts") -> dict[str, Any]:
    """A Label Studio task for one document with the facts (``Fact`` objects) as its prediction."""
    result: list[dict[str, Any]] = []
    ids = {}
    for i, f in enumerate(facts):
        rid = f"f{i}"
        ids.setdefault(f.start, rid)
        result.append({"id": rid, "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
                       "value": {"start": f.start, "end": f.end, "text": doc_text[f.start:f.end],
                                 "labels": [f.metric]}})
    for i, f in enumerate(facts):
        if f.part_of is not None and f.part_of in ids:
            result.append({"type": "relation", "from_id": f"f{i}", "to_id": ids[f.part_of], "direction": "right",
                           "labels": ["part_of"]})
    return {"data": {"text": doc_text, "doc": doc_id},
            "predictions": [{"model_version": model_version, "result": result}]}


def export_tasks(sources: list[Path], out: Path, doc_ids: list[str] | None = None) -> int:
    """Pre-labelled tasks for report files (+ ``labeling_config.xml`` next to ``out``); returns the count."""
    from nianbao.io.readers import read
    from nianbao.pipeline import process

    tasks = []
    for i, path in enumerate(sources):
        doc = read(path)
        report = process(doc, skip=("themes", "merge", "checks"), options={"entities": False})
        tasks.append(task_for(doc.text, report.facts, doc_ids[i] if doc_ids else path.stem))
    out.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    out.with_name("labeling_config.xml").write_text(labeling_config(), encoding="utf-8")
    return len(tasks)


def _latest(task: dict[str, Any]) -> list[dict[str, Any]]:
    anns = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if anns:
        return list(max(anns, key=lambda a: a.get("updated_at") or a.get("created_at") or "").get("result") or [])
    return []


def _sections(text: str) -> Any:
    from nianbao.io.readers import read_bytes
    from nianbao.schema import Report
    from nianbao.stages import segment
    from nianbao.stages.context import Context
    from nianbao.stages.normalise import normalise

    doc = read_bytes(text.encode("utf-8"), "<task>", ".txt")
    ctx = Context(doc=doc, norm=normalise(doc.text), report=Report(source="<task>", media_type=doc.media_type, sha256=doc.sha256))
    segment.run(ctx)
    spans = sorted((s.start, s.end, s.key) for s in ctx.report.sections)

    def section_of(pos: int) -> str | None:
        hit = None
        for s, e, key in spans:
            if s <= pos < e:
                hit = key
        return hit

    return section_of


def _quantity(span: str) -> tuple[Any, str | None, str]:
    """(value, unit, qualifier) of an annotated span: its first number, or 0 for a zero statement."""
    from nianbao.lang.numbers import find_quantities
    from nianbao.stages.normalise import normalise

    qs = [q for q in find_quantities(normalise(span).text, zero=False) if q.kind == "number"]
    if qs:
        return qs[0].value, qs[0].unit, qs[0].qualifier
    if NEGATION.search(span):
        return 0, None, "exact"
    raise ValueError("no number in span")


def records_from_export(export: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Stand-off gold records from finished tasks, and a note for each span that could not be used."""
    records: list[dict[str, Any]] = []
    skipped: list[str] = []
    for task in export:
        data = task.get("data") or {}
        text, doc = data.get("text"), data.get("doc")
        if not isinstance(text, str) or not doc:
            skipped.append(f"task {task.get('id')}: no text/doc")
            continue
        result = _latest(task)
        section_of = _sections(text)
        by_id: dict[str, dict[str, Any]] = {}
        for r in result:
            if r.get("type") != "labels":
                continue
            v = r.get("value") or {}
            s, e, labels = v.get("start"), v.get("end"), v.get("labels") or []
            if not isinstance(s, int) or not isinstance(e, int) or not labels:
                skipped.append(f"{doc}: span without offsets or label")
                continue
            try:
                value, unit, qualifier = _quantity(text[s:e])
            except ValueError:
                skipped.append(f"{doc}:{s}-{e}: no number in the span")
                continue
            rec = {"doc": doc, "start": s, "end": e, "sha1": span_sha1(text[s:e]), "metric": labels[0],
                   "value": value, "unit": unit, "qualifier": qualifier, "section": section_of(s)}
            by_id[str(r.get("id"))] = rec
            records.append(rec)
        for r in result:
            if r.get("type") == "relation" and str(r.get("from_id")) in by_id and str(r.get("to_id")) in by_id:
                part, total = by_id[str(r["from_id"])], by_id[str(r["to_id"])]
                part["part_of"] = total["start"]
    records.sort(key=lambda x: (x["doc"], x["start"], x["end"], x["metric"]))
    return records, skipped


def import_annotations(export_path: Path, out_dir: Path) -> tuple[int, list[str]]:
    """Write ``<doc>.jsonl`` files of stand-off gold into ``out_dir``; returns (records, skipped notes)."""
    try:
        export = json.loads(Path(export_path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise NianbaoError(f"{export_path}: not a Label Studio JSON export ({exc})") from exc
    if not isinstance(export, list):
        raise NianbaoError(f"{export_path}: expected a list of tasks")
    records, skipped = records_from_export(export)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_doc.setdefault(r["doc"], []).append(r)
    for doc, rows in by_doc.items():
        (out_dir / f"{doc}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                              encoding="utf-8")
    return len(records), skipped
