"""Batch extraction to every export format, with a corrupt file in the folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nianbao

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TABLES = ("reports", "cells", "facts", "paragraphs", "checks", "merged")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True,
                          timeout=600, env=dict(os.environ))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled examples (all input types) plus one corrupt PDF and one empty file."""
    if not EXAMPLES.is_dir():
        pytest.skip("examples/ is not available")
    d = tmp_path_factory.mktemp("batch")
    for p in EXAMPLES.iterdir():
        if p.is_file() and p.suffix in (".txt", ".md", ".html", ".pdf", ".docx"):
            shutil.copy(p, d / p.name)
    (d / "zz_corrupt.pdf").write_bytes(b"%PDF-1.4\n garbage \n%%EOF")
    (d / "zz_empty.txt").write_bytes(b"")
    return d


@pytest.fixture(scope="module")
def duckdb_run(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("out") / "reports.duckdb"
    res = run("extract", str(folder), "-o", str(out), "--format", "duckdb", "--jobs", "2", "--progress")
    return out, res


def test_duckdb_batch_reports_failures_and_keeps_going(folder: Path, duckdb_run) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    out, res = duckdb_run
    n_good = sum(1 for p in folder.iterdir() if not p.name.startswith("zz_"))
    assert res.returncode == 1, res.stderr  # some inputs failed
    assert "Traceback" not in res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("nianbao: error:")]
    assert len(errors) == 2 and all("zz_" in e for e in errors)
    summary = next(ln for ln in res.stderr.splitlines() if ln.startswith("nianbao: ") and " files, " in ln)
    assert f"{n_good + 2} files, {n_good} reports" in summary and "2 failed" in summary
    con = duckdb.connect(str(out), read_only=True)
    try:
        assert {r[0] for r in con.execute("SHOW TABLES").fetchall()} >= set(TABLES)
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == n_good
        assert con.execute("SELECT count(DISTINCT format_id) FROM reports").fetchone()[0] >= 3
        assert con.execute("SELECT count(*) FROM cells WHERE key = 'table3.new_requests.total'").fetchone()[0] >= 5
    finally:
        con.close()
    errs = [json.loads(x) for x in out.with_name(out.name + ".errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(Path(e["source"]).name for e in errs) == ["zz_corrupt.pdf", "zz_empty.txt"]


def test_duckdb_output_not_overwritten_and_resumable(folder: Path, duckdb_run) -> None:  # type: ignore[no-untyped-def]
    out, _ = duckdb_run
    before = out.stat().st_mtime_ns
    res = run("extract", str(folder), "-o", str(out), "--format", "duckdb")
    assert res.returncode == 2 and "--force" in res.stderr
    assert out.stat().st_mtime_ns == before


def test_parquet_and_csv_exports_load_back(folder: Path, tmp_path: Path) -> None:

    pq = tmp_path / "pq"
    assert run("extract", str(folder), "-o", str(pq), "--format", "parquet").returncode == 1
    frames = nianbao.load(pq)
    assert set(frames) == set(TABLES)
    n = len(frames["reports"])
    assert n >= 7 and len(frames["cells"]) > 100
    csv = tmp_path / "csv"
    assert run("extract", str(folder), "-o", str(csv), "--format", "csv").returncode == 1
    long = (csv / "long.csv").read_text(encoding="utf-8").splitlines()
    assert long[0] == "report,key,value,unit,status,source,start,end"
    assert any(",table," in ln for ln in long) and any(",prose," in ln for ln in long)
    wide = (csv / "wide.csv").read_text(encoding="utf-8").splitlines()
    assert len(wide) == n + 1 and "table3.new_requests.total" in wide[0]


def test_same_json_whatever_jobs(folder: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run("extract", str(folder), "-o", str(one), "--jobs", "1")
    run("extract", str(folder), "-o", str(two), "--jobs", "2")
    assert one.read_bytes() == two.read_bytes()
    again = tmp_path / "again.jsonl"
    run("extract", str(folder), "-o", str(again), "--jobs", "1")
    assert again.read_bytes() == one.read_bytes()


def test_python_api_frames_and_spacy() -> None:

    if not EXAMPLES.is_dir():
        pytest.skip("examples/ is not available")
    path = sorted(EXAMPLES.glob("*.txt"))[0]
    report = nianbao.extract(path)
    frames = nianbao.to_frames([report])
    assert set(frames) == set(TABLES) and len(frames["reports"]) == 1
    reports = list(nianbao.extract_many(sorted(EXAMPLES.glob("*.md"))))
    assert reports and all(r.year for r in reports)
    doc = nianbao.to_spacy(report)
    assert doc.text == nianbao.read(path).text


def test_parallel_finish_writes_the_same_exports(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Staged chunks converted by 2 processes give byte-identical Parquet and the same DuckDB/CSV content."""
    import duckdb

    from nianbao.io import export

    staging = tmp_path / "staged.jsonl"
    run("extract", str(folder), "-o", str(staging), "--jobs", "2")
    lines = [ln for ln in staging.read_text(encoding="utf-8").splitlines() if ln.strip()]
    # 3 copies of every report with distinct ids, one torn line; chunks of 4 reports → several chunks in flight
    copies = []
    for k in range(3):
        for ln in lines:
            d = json.loads(ln)
            d["sha256"] = f"{k}{d['sha256'][1:]}"
            copies.append(json.dumps(d, ensure_ascii=False))
    staging.write_text("\n".join(copies) + '\n{"source": "torn', encoding="utf-8")
    monkeypatch.setattr(export, "CHUNK", 4)
    outs = {}
    for jobs in (1, 2):
        export._write_parquet(staging, tmp_path / f"pq{jobs}", jobs)
        export._write_duckdb(staging, tmp_path / f"db{jobs}.duckdb", jobs)
        export._write_csv(staging, tmp_path / f"csv{jobs}", jobs)
        con = duckdb.connect(str(tmp_path / f"db{jobs}.duckdb"), read_only=True)
        outs[jobs] = {t: con.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
        con.close()
    for t in TABLES:
        assert (tmp_path / "pq1" / f"{t}.parquet").read_bytes() == (tmp_path / "pq2" / f"{t}.parquet").read_bytes()
        assert outs[1][t] == outs[2][t]
        assert (tmp_path / "csv1" / f"{t}.csv").read_bytes() == (tmp_path / "csv2" / f"{t}.csv").read_bytes()
    assert len(outs[1]["reports"]) == 3 * len(lines)
    frames = export.load(tmp_path / "pq2")
    assert str(frames["cells"]["start"].dtype) == "Int64" and str(frames["cells"]["key"].dtype) == "string"
