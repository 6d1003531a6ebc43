"""Label Studio interop: tasks with predictions out, annotation exports back into our JSONL."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nianbao.errors import NianbaoError
from nianbao.io.readers import read
from nianbao.pipeline import process
from nianbao.schema import Document, Paragraph, Report
from nianbao.stages.themes import label_set
from nianbao.train.labelstudio import (
    export_tasks,
    import_annotations,
    labeling_config,
    records_from_export,
    span_sha1,
    tasks_for_report,
)

TEXT = ("示例县2023年政府信息公开工作年度报告\n"
        "一、总体情况\n"
        "本年度我县依托门户网站主动公开政府信息一千余条，政策文件均同步发布解读材料。\n"
        "五、存在的主要问题及改进情况\n"
        "下一步，我县将加强业务培训，提升依申请公开答复质量。\n")


def _report() -> tuple[Document, Report]:
    doc = Document(source="demo.txt", media_type="text", text=TEXT)
    a = TEXT.index("本年度")
    b = TEXT.index("下一步")
    paras = [
        Paragraph(section="overview", start=a, end=TEXT.index("\n", a), role="achievement",
                  themes=["proactive_disclosure", "interpretation_response"], scores={"role:achievement": 0.9}),
        Paragraph(section="problems", start=b, end=TEXT.index("\n", b), role="plan", themes=["capacity_training"],
                  scores={"role:plan": 0.7}),
    ]
    return doc, Report(source="demo.txt", format_id="gov_2021", paragraphs=paras)


def _annotate(tasks: list[dict], edits: dict[int, tuple[str, list[str]]]) -> list[dict]:
    """What Label Studio exports after annotators accept (or edit) the predictions."""
    out = []
    for i, t in enumerate(copy.deepcopy(tasks), 1):
        result = copy.deepcopy(t["predictions"][0]["result"])
        if i - 1 in edits:
            role, themes = edits[i - 1]
            result = [{"from_name": "role", "to_name": "text", "type": "choices", "value": {"choices": [role]}},
                      {"from_name": "themes", "to_name": "text", "type": "choices", "value": {"choices": themes}}]
        t.update({"id": i, "annotations": [{"id": 10 + i, "result": result, "was_cancelled": False,
                                             "ground_truth": False, "created_at": "2024-01-02T00:00:00Z"}]})
        out.append(t)
    return out


def test_labeling_config_is_valid_xml_with_all_labels() -> None:
    root = ET.fromstring(labeling_config())
    assert root.tag == "View"
    choices = {c.get("name"): c for c in root.iter("Choices")}
    assert set(choices) == {"role", "themes"}
    assert choices["role"].get("toName") == "text" and choices["themes"].get("choice") == "multiple"
    assert [c.get("value") for c in choices["role"]] == label_set()["roles"]
    assert [c.get("value") for c in choices["themes"]] == label_set()["themes"]
    assert root.find("Text").get("value") == "$text"


def test_tasks_carry_predictions_in_import_format() -> None:
    doc, report = _report()
    tasks = tasks_for_report(report, doc, "demo", "nianbao-themes-test")
    assert len(tasks) == 2
    t = tasks[0]
    assert t["data"]["text"] == TEXT[t["data"]["start"] : t["data"]["end"]]
    assert t["data"]["sha1"] == span_sha1(t["data"]["text"])
    pred = t["predictions"][0]
    assert pred["model_version"] == "nianbao-themes-test" and pred["score"] == pytest.approx(0.9)
    by_name = {r["from_name"]: r for r in pred["result"]}
    assert by_name["role"]["value"]["choices"] == ["achievement"]
    assert by_name["themes"]["type"] == "choices" and by_name["themes"]["to_name"] == "text"


def test_round_trip_through_annotation_export(tmp_path: Path) -> None:
    doc, report = _report()
    tasks = tasks_for_report(report, doc, "demo")
    export = _annotate(tasks, {1: ("measure", ["request_handling", "capacity_training"])})
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    n, skipped = import_annotations(path, tmp_path / "out.jsonl")
    assert n == 2 and skipped == []
    recs = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert recs[0] == {"doc": "demo", "start": report.paragraphs[0].start, "end": report.paragraphs[0].end,
                       "sha1": span_sha1(TEXT[report.paragraphs[0].start : report.paragraphs[0].end]),
                       "section": "overview", "role": "achievement",
                       "themes": ["proactive_disclosure", "interpretation_response"]}
    # edited labels come back in canonical order; stand-off records never store the text
    assert recs[1]["role"] == "measure" and recs[1]["themes"] == ["request_handling", "capacity_training"]
    assert all("text" not in r for r in recs)


def test_json_min_and_self_written_tasks() -> None:
    export = [{"id": 1, "text": "全年组织培训两期。", "section": "overview", "role": "achievement",
               "themes": {"choices": ["capacity_training"]}},
              {"id": 2, "text": "下一步加强考核。", "role": "plan", "themes": "oversight"}]
    recs, skipped = records_from_export(export)
    assert skipped == []
    assert recs[0]["text"] == "全年组织培训两期。" and recs[0]["themes"] == ["capacity_training"]
    assert recs[1]["role"] == "plan" and recs[1]["themes"] == ["oversight"]


def test_unfinished_cancelled_or_edited_tasks_are_skipped() -> None:
    doc, report = _report()
    tasks = tasks_for_report(report, doc, "demo")
    export = _annotate(tasks, {})
    export[0]["annotations"][0]["was_cancelled"] = True
    export[1]["data"]["text"] += "改"
    recs, skipped = records_from_export(export)
    assert recs == [] and len(skipped) == 2
    bad = _annotate(tasks, {0: ("achievement", ["not_a_theme"])})
    recs, skipped = records_from_export(bad[:1])
    assert recs == [] and "unknown themes" in skipped[0]


def test_import_rejects_non_json(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text("<html>", encoding="utf-8")
    with pytest.raises(NianbaoError):
        import_annotations(p, tmp_path / "o.jsonl")


def test_tasks_come_least_certain_first() -> None:
    doc, report = _report()
    sure, unsure = report.paragraphs
    sure.scores = {"role:achievement": 0.95, "role:plan": 0.05, "proactive_disclosure": 0.97, "platforms": 0.02}
    unsure.scores = {"role:plan": 0.52, "role:measure": 0.48, "capacity_training": 0.9, "platforms": 0.02}
    tasks = tasks_for_report(report, doc, "demo", thresholds={"proactive_disclosure": 0.5, "platforms": 0.5})
    assert [t["data"]["start"] for t in tasks] == [unsure.start, sure.start]
    assert tasks[0]["data"]["uncertainty"] > tasks[1]["data"]["uncertainty"]
    # a theme score right at its threshold is as unsure as a tied role
    unsure.scores = {"role:plan": 0.99, "role:measure": 0.01, "platforms": 0.31}
    tasks = tasks_for_report(report, doc, "demo", thresholds={"platforms": 0.3})
    assert tasks[0]["data"]["start"] == unsure.start and tasks[0]["data"]["uncertainty"] > 0.95


def test_export_tasks_from_a_file(tmp_path: Path) -> None:
    src = tmp_path / "report.txt"
    src.write_text(TEXT, encoding="utf-8")
    n = export_tasks(src, tmp_path / "ls" / "tasks.json", doc_id="demo")
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))
    assert n == len(tasks) == len(process(read(src)).paragraphs) == 2
    assert (tmp_path / "ls" / "labeling_config.xml").read_text(encoding="utf-8").startswith("<View>")
    assert all(t["data"]["doc"] == "demo" for t in tasks)
