"""Label Studio interop for paragraph annotation: pre-labelled tasks out, finished annotations in.

Export: each prose paragraph of a report becomes a Label Studio task (JSON import
format: ``{"data": {...}, "predictions": [{"model_version", "score", "result": [...]}]}``)
whose ``Choices`` results carry the model's role and themes, so annotators only correct.
Tasks are ordered least certain first (``data.uncertainty``, see
:func:`nianbao.stages.themes.uncertainty`): the labels that teach the model most come first.
:func:`labeling_config` writes the matching ``<View>`` XML.

Import: a Label Studio JSON export (full ``JSON`` or ``JSON_MIN``) becomes our JSONL
records. Tasks that point into a document (``doc``/``start``/``end``/``sha1``) become
stand-off records without text — the span text shown to annotators is never stored;
tasks without a document become self-written records ``{id, text, ...}``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from nianbao.errors import NianbaoError
from nianbao.schema import Document, Report
from nianbao.stages.themes import label_set, uncertainty

FROM_ROLE, FROM_THEMES, TO_NAME = "role", "themes", "text"


def span_sha1(text: str) -> str:
    """First 12 hex chars of sha1 of a span's UTF-8 text (the stand-off drift check)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def labeling_config() -> str:
    """Label Studio labeling config: the paragraph text, one role choice, several theme choices."""
    labels = label_set()
    hints = labels.get("hints", {})
    role_choices = "\n".join(f"    <Choice value={quoteattr(r)}/>" for r in labels["roles"])
    theme_choices = "\n".join(
        f"    <Choice value={quoteattr(t)}" + (f" hint={quoteattr(hints[t])}" if t in hints else "") + "/>"
        for t in labels["themes"])
    return (
        "<View>\n"
        '  <Header value="$doc · $section"/>\n'
        f'  <Text name="{TO_NAME}" value="$text"/>\n'
        f'  <Choices name="{FROM_ROLE}" toName="{TO_NAME}" choice="single-radio" showInline="true" required="true">\n'
        f"{role_choices}\n"
        "  </Choices>\n"
        f'  <Choices name="{FROM_THEMES}" toName="{TO_NAME}" choice="multiple" showInline="true">\n'
        f"{theme_choices}\n"
        "  </Choices>\n"
        "</View>\n"
    )


def _choices(from_name: str, values: list[str], rid: str) -> dict[str, Any]:
    return {"id": rid, "from_name": from_name, "to_name": TO_NAME, "type": "choices", "value": {"choices": values}}


def tasks_for_report(report: Report, doc: Document, doc_id: str | None = None,
                     model_version: str = "nianbao-themes",
                     thresholds: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """Label Studio tasks (with predictions) for the paragraphs of a processed report, least certain first."""
    doc_id = doc_id or Path(doc.source).stem
    tasks: list[dict[str, Any]] = []
    for n, p in enumerate(report.paragraphs):
        text = doc.text[p.start : p.end]
        data = {"text": text, "doc": doc_id, "start": p.start, "end": p.end, "sha1": span_sha1(text),
                "section": p.section or "", "format_id": report.format_id}
        task: dict[str, Any] = {"data": data}
        if p.role is not None:
            result = [_choices(FROM_ROLE, [p.role], f"r{n}")]
            if p.themes:
                result.append(_choices(FROM_THEMES, list(p.themes), f"t{n}"))
            score = p.scores.get(f"role:{p.role}")
            task["predictions"] = [{"model_version": model_version, "score": float(score or 0.0), "result": result}]
            data["uncertainty"] = uncertainty(p.scores, thresholds or {})
        tasks.append(task)
    return sorted(tasks, key=lambda t: -float(t["data"].get("uncertainty", 0.0)))  # stable: text order on ties


def export_tasks(source: Path, out: Path, doc_id: str | None = None, options: dict[str, Any] | None = None) -> int:
    """Process a report file and write its paragraphs as Label Studio tasks (+ ``labeling_config.xml``)."""
    from nianbao.io.readers import read
    from nianbao.pipeline import process
    from nianbao.stages.themes import load_model

    doc = read(source)
    report = process(doc, options=options)
    custom = (options or {}).get("themes_model")
    thresholds: dict[str, float] = {}
    try:
        meta = load_model(str(custom) if custom else None).meta
        version, thresholds = "nianbao-themes-" + str(meta.get("version", "?")), meta.get("thresholds", {})
    except NianbaoError:
        version = "nianbao-themes"
    tasks = tasks_for_report(report, doc, doc_id, version, thresholds)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    out.with_name("labeling_config.xml").write_text(labeling_config(), encoding="utf-8")
    return len(tasks)


def _latest_annotation(task: dict[str, Any]) -> list[dict[str, Any]] | None:
    anns = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not anns:
        return None
    truth = [a for a in anns if a.get("ground_truth")]
    pick = (truth or sorted(anns, key=lambda a: str(a.get("updated_at") or a.get("created_at") or "")))[-1]
    return list(pick.get("result") or [])


def _labels_from_result(result: list[dict[str, Any]]) -> tuple[str | None, list[str]]:
    role: str | None = None
    themes: list[str] = []
    for r in result:
        values = list((r.get("value") or {}).get("choices") or [])
        if r.get("from_name") == FROM_ROLE and values:
            role = values[0]
        elif r.get("from_name") == FROM_THEMES:
            themes.extend(values)
    return role, themes


def _labels_from_min(task: dict[str, Any]) -> tuple[str | None, list[str]]:
    """JSON_MIN export: ``role`` is a string, ``themes`` a string or ``{"choices": [...]}``."""
    role = task.get(FROM_ROLE)
    themes = task.get(FROM_THEMES)
    if isinstance(themes, dict):
        themes = themes.get("choices", [])
    elif isinstance(themes, str):
        themes = [themes]
    return (role if isinstance(role, str) else None), list(themes or [])


def records_from_export(export: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Our JSONL records from a Label Studio export; second value: reasons for skipped tasks."""
    labels = label_set()
    roles, themes_ok = set(labels["roles"]), list(labels["themes"])
    records: list[dict[str, Any]] = []
    skipped: list[str] = []
    for n, task in enumerate(export):
        data = task.get("data") if isinstance(task.get("data"), dict) else task
        tid = task.get("id", n)
        if "annotations" in task:
            result = _latest_annotation(task)
            if result is None:
                skipped.append(f"task {tid}: no finished annotation")
                continue
            role, themes = _labels_from_result(result)
        else:
            role, themes = _labels_from_min(task)
        if role not in roles:
            skipped.append(f"task {tid}: no valid role")
            continue
        bad = sorted(set(themes) - set(themes_ok))
        if bad:
            skipped.append(f"task {tid}: unknown themes {bad}")
            continue
        themes = [t for t in themes_ok if t in themes]  # canonical order, no duplicates
        text = str(data.get("text", ""))
        if data.get("doc") and data.get("start") is not None and data.get("end") is not None:
            sha = data.get("sha1") or span_sha1(text)
            if text and span_sha1(text) != sha:
                skipped.append(f"task {tid}: text does not match its sha1 (edited in Label Studio?)")
                continue
            records.append({"doc": data["doc"], "start": int(data["start"]), "end": int(data["end"]), "sha1": sha,
                            "section": data.get("section") or None, "role": role, "themes": themes})
        elif text:
            records.append({"id": str(data.get("id") or f"ls{tid}"), "text": text, "section": data.get("section"),
                            "format_id": data.get("format_id"), "script": data.get("script", "simplified"),
                            "role": role, "themes": themes})
        else:
            skipped.append(f"task {tid}: neither a document span nor a text")
    return records, skipped


def import_annotations(export_path: Path, out: Path) -> tuple[int, list[str]]:
    """Convert a Label Studio JSON/JSON_MIN export file into our JSONL (one record per line)."""
    try:
        export = json.loads(Path(export_path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise NianbaoError(str(export_path), f"not a Label Studio JSON export ({exc})") from exc
    if isinstance(export, dict):
        export = [export]
    if not isinstance(export, list):
        raise NianbaoError(str(export_path), "expected a list of tasks")
    records, skipped = records_from_export(export)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(records), skipped
