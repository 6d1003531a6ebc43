"""The CLI contract: JSON output, one-line errors, batches that go on after failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

REPORT = ("西河县人民政府2021年政府信息公开工作年度报告\n一、总体情况\n全年主动公开信息100条。\n"
          "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
          "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n问题。\n六、其他需要报告的事项\n无\n")
FIELDS = ["source", "issuer", "year", "format_id", "script", "sections", "tables", "checks", "facts",
          "paragraphs", "merged", "warnings"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NIANBAO_QUIET="1")
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    p = tmp_path / "good.txt"
    p.write_text(REPORT, encoding="utf-8")
    return p


def test_one_file_prints_one_json_object(good: Path) -> None:
    res = run("extract", str(good))
    assert res.returncode == 0, res.stderr
    obj = json.loads(res.stdout)
    assert all(f in obj for f in FIELDS)
    assert obj["issuer"] == "西河县人民政府" and obj["year"] == 2021
    assert [s["key"] for s in obj["sections"]][1] == "overview"


def test_text_command_prints_the_offset_text(good: Path) -> None:
    res = run("text", str(good))
    assert res.returncode == 0
    assert res.stdout == REPORT
    obj = json.loads(run("extract", str(good)).stdout)
    sec = next(s for s in obj["sections"] if s["key"] == "problems")
    assert res.stdout[sec["start"]:sec["end"]].startswith("五、存在的主要问题")


def _bad_inputs(tmp: Path) -> dict[str, str]:
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "garbage.txt").write_bytes(bytes(range(256)) * 40)
    (tmp / "report.xyz").write_text("x", encoding="utf-8")
    (tmp / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF")
    (tmp / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with zipfile.ZipFile(tmp / "nodoc.docx", "w") as z:
        z.writestr("hello.txt", "hi")
    (tmp / "nobody.html").write_text("<html><head><title>t</title></head></html>", encoding="utf-8")
    (tmp / "adir.txt").mkdir()
    return {
        "empty.txt": "empty", "garbage.txt": "binary", "report.xyz": "unsupported",
        "broken.pdf": "PDF", "broken.docx": "DOCX", "nodoc.docx": "DOCX", "nobody.html": "body",
        "adir.txt": "directory", "missing.txt": "no such file",
    }


def test_bad_inputs_give_one_line_errors_and_the_batch_goes_on(tmp_path: Path, good: Path) -> None:
    expected = _bad_inputs(tmp_path)
    names = list(expected)
    res = run("extract", *[str(tmp_path / n) for n in names], str(good))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == len(names), res.stderr
    for name, line in zip(names, lines, strict=False):
        assert line.startswith(f"nianbao: error: {tmp_path / name}: "), line
        assert expected[name].lower() in line.lower(), line
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(out) == 1 and out[0]["source"] == str(good)


def test_single_bad_file_exit_status(tmp_path: Path) -> None:
    res = run("extract", str(tmp_path / "nope.pdf"))
    assert res.returncode != 0
    assert res.stderr.strip() == f"nianbao: error: {tmp_path / 'nope.pdf'}: no such file"


def test_output_never_overwritten_without_force(tmp_path: Path, good: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("keep me", encoding="utf-8")
    res = run("extract", str(good), "-o", str(out))
    assert res.returncode == 2 and "--force" in res.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    res = run("extract", str(good), "-o", str(out), "--force")
    assert res.returncode == 0, res.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["year"] == 2021


def test_jsonl_resume_skips_done_files(tmp_path: Path, good: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text(REPORT.replace("西河县", "东岭县"), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run("extract", str(good), "-o", str(out)).returncode == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    res = run("extract", str(good), str(other), "-o", str(out))
    assert res.returncode == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["issuer"] for x in lines] == ["西河县人民政府", "东岭县人民政府"]


# --- 2. codebook and check severities -----------------------------------------------------------------


def test_codebook_lists_every_key_with_labels(tmp_path: Path, good: Path) -> None:
    import csv

    out = tmp_path / "codebook.csv"
    res = run("codebook", "-o", str(out))
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0]) == ["key", "short_name", "kind", "table", "row", "column", "label_zh", "row_label_zh",
                             "column_label_zh", "unit", "meaning", "formats", "table_counterpart"]
    by_key = {r["key"]: r for r in rows}
    r = by_key["table3.new_requests.total"]
    assert (r["row_label_zh"], r["column_label_zh"], r["short_name"], r["formats"]) == (
        "一、本年新收申请", "总计", "t3_new_req_tot", "gov_2019 gov_2021")
    assert by_key["table2.regulations.issued"]["formats"] == "gov_2021"
    assert by_key["table2.admin_fees.amount_wan_yuan"]["unit"] == "万元"
    assert by_key["narrative.requests.received"]["table_counterpart"].startswith("table3.new_requests.total")
    assert all(r["meaning"] for r in rows)
    names = [r["short_name"] for r in rows if r["short_name"]]
    assert len(names) == len(set(names)) and all(len(n) <= 30 and n.isascii() for n in names)
    # every key a report emits is in the codebook
    report = json.loads(run("extract", str(ROOT / "examples" / "2021_shi_shuiwuju.txt")).stdout)
    assert set(report["tables"]) <= set(by_key)
    assert {f["metric"] for f in report["facts"]} <= set(by_key)
    assert set(report["merged"]) <= set(by_key)
    assert run("codebook", "-o", str(out)).returncode == 2  # never overwritten without --force
    assert run("codebook").stdout.startswith("key,short_name,")


def test_passing_checks_have_no_severity() -> None:
    report = json.loads(run("extract", str(ROOT / "examples" / "2020_xian_gbk.txt")).stdout)
    statuses = {c["status"] for c in report["checks"]}
    assert "fail" in statuses and "pass" in statuses
    for c in report["checks"]:
        assert (c["severity"] is None) == (c["status"] != "fail"), c


# --- 6. summary --------------------------------------------------------------------------------------------


def test_summary_of_an_export(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("2021_shi_shuiwuju.txt", "2020_xian_gbk.txt", "2016_qu_legacy.txt"):
        shutil.copy(ROOT / "examples" / name, folder / name)
    shutil.copy(ROOT / "examples" / "2020_xian_gbk.txt", folder / "copy.txt")
    out = tmp_path / "c.duckdb"
    assert run("extract", str(folder), "-o", str(out)).returncode == 0
    res = run("summary", str(out))
    assert res.returncode == 0, res.stderr
    text = res.stdout
    assert text.startswith(f"3 reports in {out} (1 duplicate files)")
    for heading in ("Reports by year", "Reports by format", "Reports by issuer level", "Reports with statistics tables",
                    "Table cells by status", "Failing checks per report", "Reports with the most failing checks"):
        assert heading in text
    assert "legacy_2008" in text and "gov_2021" in text
    assert "2020_xian_gbk.txt" in text.split("Reports with the most failing checks")[1]
    bad = run("summary", str(tmp_path / "nope.duckdb"))
    assert bad.returncode == 1 and bad.stderr.strip() == f"nianbao: error: {tmp_path / 'nope.duckdb'}: no such file"


# --- 9. help and version -------------------------------------------------------------------------------------


COMMANDS = [["text"], ["extract"], ["view"], ["codebook"], ["summary"], ["train", "themes"], ["train", "ner"],
            ["evaluate", "facts"], ["evaluate", "themes"], ["labelstudio", "export"], ["labelstudio", "import"]]


@pytest.mark.parametrize("cmd", COMMANDS, ids=["-".join(c) for c in COMMANDS])
def test_every_command_has_help_with_an_example(cmd: list[str]) -> None:
    res = run(*cmd, "--help")
    assert res.returncode == 0, res.stderr
    assert "Example" in res.stdout and f"nianbao {' '.join(cmd)}" in res.stdout


def test_extract_help_explains_formats_and_side_files() -> None:
    out = " ".join(run("extract", "--help").stdout.split())
    for needle in ("recursively", "resumes", ".partial.jsonl", ".errors.jsonl", "--scheduler", "dta", "folder"):
        assert needle in out


def test_version() -> None:
    import nianbao

    res = run("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"nianbao {nianbao.__version__}"
