"""Label Studio round trip for facts: model pre-labels out, corrected annotations back as stand-off gold."""

from __future__ import annotations

import json
from pathlib import Path

from nianbao.io.readers import read_bytes
from nianbao.pipeline import process
from nianbao.train import labelstudio_facts as ls

TEXT = ("某县2022年政府信息公开工作年度报告\n一、总体情况\n"
        "全年共召开新闻发布会7场,其中主要领导出席3场。全年未收到政府信息公开申请。\n")


def _task() -> dict:
    doc = read_bytes(TEXT.encode("utf-8"), "<t>", ".txt")
    report = process(doc, skip=("themes", "merge", "checks"), options={"entities": False})
    return ls.task_for(doc.text, report.facts, "ex_test")


def test_tasks_carry_spans_labels_and_part_relations() -> None:
    task = _task()
    assert task["data"] == {"text": TEXT, "doc": "ex_test"}
    result = task["predictions"][0]["result"]
    spans = {TEXT[r["value"]["start"]:r["value"]["end"]]: r["value"]["labels"][0] for r in result if r["type"] == "labels"}
    assert spans["7场"] == "narrative.press_conferences"
    assert spans["3场"] != "narrative.press_conferences"
    (rel,) = [r for r in result if r["type"] == "relation"]
    by_id = {r["id"]: TEXT[r["value"]["start"]:r["value"]["end"]] for r in result if r["type"] == "labels"}
    assert (by_id[rel["from_id"]], by_id[rel["to_id"]]) == ("3场", "7场")
    assert '<Labels name="metric"' in ls.labeling_config() and "narrative.part" in ls.labeling_config()


def test_corrected_annotations_come_back_as_stand_off_gold(tmp_path: Path) -> None:
    task = _task()
    result = task["predictions"][0]["result"]
    for r in result:  # the annotator relabels the part
        if r["type"] == "labels" and TEXT[r["value"]["start"]:r["value"]["end"]] == "3场":
            r["value"]["labels"] = ["narrative.part"]
    task["annotations"] = [{"result": result, "updated_at": "2026-01-01"}]
    export = tmp_path / "export.json"
    export.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    n, skipped = ls.import_annotations(export, tmp_path / "gold")
    rows = [json.loads(line) for line in (tmp_path / "gold" / "ex_test.jsonl").read_text(encoding="utf-8").splitlines()]
    assert n == len(rows) and not skipped
    by_value = {r["value"]: r for r in rows}
    total, part = by_value[7], by_value[3]
    assert (total["metric"], total["unit"], total["qualifier"]) == ("narrative.press_conferences", "场", "exact")
    assert part["metric"] == "narrative.part" and part["part_of"] == total["start"]
    zero = [r for r in rows if r["metric"] == "narrative.requests.received"]
    assert zero and zero[0]["value"] == 0 and zero[0]["unit"] is None
    for r in rows:
        assert "text" not in r and len(r["sha1"]) == 12
        assert r["section"] == "overview"
