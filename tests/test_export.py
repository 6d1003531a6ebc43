"""Batch extraction to every export format: complete tables, the -o rule, resume, duplicates, Stata."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nianbao
from example_inputs import copy_inputs
from export_fixtures import LEGACY

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TABLES = ("reports", "cells", "legacy", "facts", "paragraphs", "checks", "merged")


def run(*args: str, quiet: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NIANBAO_QUIET="1") if quiet else dict(os.environ)
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True,
                          timeout=600, env=env)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled examples (all input types), a legacy report with an annex, a duplicate of one
    example in a subfolder, one corrupt PDF and one empty file."""
    if not EXAMPLES.is_dir():
        pytest.skip("examples/ is not available")
    d = tmp_path_factory.mktemp("batch")
    copy_inputs(d)
    (d / "2016_legacy_annex.txt").write_text(LEGACY, encoding="utf-8")
    (d / "copies").mkdir()
    shutil.copy(EXAMPLES / "2021_shi_shuiwuju.txt", d / "copies" / "same_as_shuiwuju.txt")
    (d / "zz_corrupt.pdf").write_bytes(b"%PDF-1.4\n garbage \n%%EOF")
    (d / "zz_empty.txt").write_bytes(b"")
    return d


def n_unique(folder: Path) -> int:
    """Distinct readable reports in the fixture folder (the copy is not one)."""
    return sum(1 for p in folder.iterdir() if p.is_file() and not p.name.startswith("zz_"))


@pytest.fixture(scope="module")
def duckdb_run(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("out") / "reports.duckdb"
    res = run("extract", str(folder), "-o", str(out), "--jobs", "2", "--progress")
    return out, res


@pytest.fixture(scope="module")
def parquet_run(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pq") / "corpus"
    assert run("extract", str(folder), "-o", str(out), "--format", "parquet").returncode == 1
    return out


def test_duckdb_batch_reports_failures_and_keeps_going(folder: Path, duckdb_run) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    out, res = duckdb_run
    n_good = n_unique(folder)
    assert res.returncode == 1, res.stderr  # some inputs failed
    assert "Traceback" not in res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("nianbao: error:")]
    assert len(errors) == 2 and all("zz_" in e for e in errors)
    summary = next(ln for ln in res.stderr.splitlines() if ln.startswith("nianbao: ") and " files, " in ln)
    assert f"{n_good + 3} files, {n_good} reports" in summary and "2 failed" in summary
    assert "1 duplicate files read once" in summary
    con = duckdb.connect(str(out), read_only=True)
    try:
        assert {r[0] for r in con.execute("SHOW TABLES").fetchall()} >= set(TABLES)
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == n_good
        assert con.execute("SELECT count(DISTINCT format_id) FROM reports").fetchone()[0] >= 3
        assert con.execute("SELECT count(*) FROM cells WHERE key = 'table3.new_requests.total'").fetchone()[0] >= 5
    finally:
        con.close()


# --- 1. complete exports ----------------------------------------------------------------------------


def test_exports_carry_text_legacy_identity_and_native_types(parquet_run: Path) -> None:
    import pyarrow.parquet as pq

    frames = nianbao.load(parquet_run)
    assert set(frames) == set(TABLES)
    reports = frames["reports"]
    for col in ("issuer_id", "division_code", "issuer_level", "issuer_kind", "sources", "n_legacy"):
        assert col in reports.columns
    # legacy annex: every entry a row, with its period column and offsets into the text
    legacy = frames["legacy"]
    annex = reports[reports["source"].str.endswith("2016_legacy_annex.txt")]["report"].iloc[0]
    rows = legacy[legacy["report"] == annex]
    assert len(rows) == 12 and set(rows["period"]) == {"2016年度", "累计"}
    got = rows[(rows["label"] == "收到申请数") & (rows["period"] == "2016年度")].iloc[0]
    assert got["value"] == 12 and got["unit"] == "件"
    assert LEGACY[int(got["start"]):int(got["end"])] == "12"
    # text: facts keep their sentence, paragraphs their text (= the document slice)
    facts = frames["facts"]
    assert facts["text"].notna().all() and (facts["text"].str.len() > 0).all()
    paras = frames["paragraphs"]
    text = nianbao.read(EXAMPLES / "2021_shi_shuiwuju.txt").text
    rid = reports[reports["source"].str.endswith("2021_shi_shuiwuju.txt")]["report"].iloc[0]
    for _, p in paras[paras["report"] == rid].iterrows():
        assert p["text"] == text[int(p["start"]):int(p["end"])]
    # native types: lists and maps, integer offsets
    cells = pq.read_schema(parquet_run / "cells.parquet")
    assert str(cells.field("start").type) == "int64" and str(cells.field("candidates").type) == "list<element: double>"
    para_schema = pq.read_schema(parquet_run / "paragraphs.parquet")
    assert str(para_schema.field("themes").type).startswith("list<")
    assert str(para_schema.field("scores").type).startswith("map<string, double")
    assert isinstance(paras["themes"].iloc[0], list) and isinstance(paras["scores"].iloc[0], dict)
    assert isinstance(frames["checks"]["keys"].iloc[0], list)


def test_issuer_identity_fields_are_read_when_present() -> None:
    from nianbao.io.frames import rows

    d = json.loads(nianbao.extract(text=LEGACY).model_dump_json())
    d.pop("identity", None)
    d.update(issuer_id="X-001", division_code="110105", issuer_level="county", issuer_kind="government")
    rec = rows(d)["reports"][0]
    assert (rec["issuer_id"], rec["division_code"], rec["issuer_level"], rec["issuer_kind"]) == (
        "X-001", "110105", "county", "government")
    d2 = {k: v for k, v in d.items() if not k.startswith(("issuer_", "division", "identity"))}
    d2["identity"] = {"issuer_id": "name:北河县政府", "division_code": "320102", "level": "county", "kind": "government"}
    rec = rows(d2)["reports"][0]
    assert (rec["issuer_id"], rec["division_code"], rec["issuer_level"], rec["issuer_kind"]) == (
        "name:北河县政府", "320102", "county", "government")
    d3 = {k: v for k, v in d2.items() if k != "identity"}  # JSON of a version without identity fields
    assert rows(d3)["reports"][0]["issuer_id"] is None


def test_parquet_folder_cannot_be_read_as_one_table(parquet_run: Path) -> None:
    """Reading the folder as one dataset fails loudly (README.txt is not Parquet) instead of stacking tables."""
    import pandas as pd
    import pyarrow as pa

    readme = (parquet_run / "README.txt").read_text(encoding="utf-8")
    assert "read_parquet('<folder>/cells.parquet')" in readme and "paragraphs.parquet:" in readme
    with pytest.raises((pa.ArrowInvalid, OSError, ValueError)):
        pd.read_parquet(parquet_run)
    assert len(pd.read_parquet(parquet_run / "reports.parquet")) == len(nianbao.load(parquet_run)["reports"])


def test_parquet_types_are_plain_for_r(parquet_run: Path) -> None:
    """Only types R's arrow maps to base R without options: utf8, int64, double, bool, lists, maps."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    plain = {pa.string(), pa.int64(), pa.float64(), pa.bool_()}
    for t in TABLES:
        for field in pq.read_schema(parquet_run / f"{t}.parquet"):
            typ = field.type
            if pa.types.is_map(typ):
                assert (typ.key_type, typ.item_type) == (pa.string(), pa.float64()), (t, field.name)
            elif pa.types.is_list(typ):
                assert typ.value_type in plain, (t, field.name, typ)
            else:
                assert typ in plain, (t, field.name, typ)


# --- 3. output semantics ----------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "needle"), [
    (["-o", "{d}/x.parquet"], "-o {d}/x --format parquet"),
    (["-o", "{d}/x.csv"], "-o {d}/x --format csv"),
    (["-o", "{d}/x.dta"], "-o {d}/x --format dta"),
    (["-o", "{d}/x.xlsx"], "cannot tell the format"),
    (["-o", "{d}/noext"], "cannot tell the format"),
    (["-o", "{d}/x.json", "--format", "yaml"], "unknown format 'yaml'"),
    (["-o", "{d}/x.json", "--format", "jsonl"], "the name says json"),
    (["--format", "parquet"], "needs -o OUTPUT"),
])
def test_output_rule_errors_are_one_line(tmp_path: Path, args: list[str], needle: str) -> None:
    report = tmp_path / "r.txt"
    report.write_text(LEGACY, encoding="utf-8")
    res = run("extract", str(report), *[a.format(d=tmp_path) for a in args])
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nianbao: error: ") and needle.format(d=tmp_path) in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.txt"]  # nothing written


@pytest.mark.parametrize("fmt", ["json", "jsonl", "duckdb", "csv", "parquet", "dta"])
def test_every_format_resumes_and_leaves_no_side_files(tmp_path: Path, fmt: str) -> None:
    a, b = tmp_path / "in" / "a.txt", tmp_path / "in" / "b.txt"
    a.parent.mkdir()
    a.write_text(LEGACY, encoding="utf-8")
    b.write_text(LEGACY.replace("北河县", "东坡县"), encoding="utf-8")
    out = tmp_path / "out" / {"json": "c.json", "jsonl": "c.jsonl", "duckdb": "c.duckdb"}.get(fmt, "c")
    out.parent.mkdir()
    flags = ["--format", fmt] if fmt in ("csv", "parquet", "dta") else []
    assert run("extract", str(a), "-o", str(out), *flags).returncode == 0
    res = run("extract", str(a), str(b), "-o", str(out), *flags)
    assert res.returncode == 0, res.stderr
    assert "1 reports written" in res.stderr and "1 already done" in res.stderr
    frames = nianbao.load(out)
    assert sorted(Path(str(s)).name for s in frames["reports"]["source"]) == ["a.txt", "b.txt"]
    assert len(frames["legacy"]) == 24
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no staging or error file left
    again = run("extract", str(a), str(b), "-o", str(out), *flags)
    assert again.returncode == 0 and "0 reports written" in again.stderr and "2 already done" in again.stderr


def test_interrupted_batch_resumes_from_its_staging_file(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text(LEGACY, encoding="utf-8")
    staged = run("extract", str(a), "-o", str(tmp_path / "s.jsonl"))
    assert staged.returncode == 0
    out = tmp_path / "c"
    (tmp_path / "s.jsonl").rename(tmp_path / "c.partial.jsonl")  # as an interrupted parquet batch leaves it
    res = run("extract", str(a), "-o", str(out), "--format", "parquet")
    assert res.returncode == 0 and "1 already done" in res.stderr
    assert len(nianbao.load(out)["reports"]) == 1 and not (tmp_path / "c.partial.jsonl").exists()


def test_resuming_an_export_of_another_layout_is_one_error_line(tmp_path: Path) -> None:
    import duckdb

    a = tmp_path / "a.txt"
    a.write_text(LEGACY, encoding="utf-8")
    out = tmp_path / "old.duckdb"
    con = duckdb.connect(str(out))  # an export as an older version wrote it: fewer columns
    con.execute("CREATE TABLE reports AS SELECT 'x' AS report, 'y.txt' AS source, 'ab' AS sha256")
    con.close()
    res = run("extract", str(a), "-o", str(out))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    line = res.stderr.strip().splitlines()[-1]
    assert line.startswith(f"nianbao: error: {out}: cannot add to the existing export") and "--force" in line
    assert (tmp_path / "old.duckdb.partial.jsonl").exists()  # the extracted report is kept for a rerun
    assert run("extract", str(a), "-o", str(out), "--force").returncode == 0
    assert len(nianbao.load(out)["reports"]) == 1 and not (tmp_path / "old.duckdb.partial.jsonl").exists()


def test_errors_file_lists_this_runs_failures_with_hashes(tmp_path: Path) -> None:
    import hashlib

    good, bad = tmp_path / "in" / "good.txt", tmp_path / "in" / "bad.txt"
    good.parent.mkdir()
    good.write_text(LEGACY, encoding="utf-8")
    bad.write_bytes(b"\n\n")
    out = tmp_path / "c.jsonl"
    errors = tmp_path / "c.jsonl.errors.jsonl"
    assert run("extract", str(good.parent), "-o", str(out)).returncode == 1
    recs = [json.loads(x) for x in errors.read_text(encoding="utf-8").splitlines()]
    assert recs == [{"source": str(bad), "sha256": hashlib.sha256(bad.read_bytes()).hexdigest(),
                     "error": recs[0]["error"]}] and recs[0]["error"]
    assert run("extract", str(good.parent), "-o", str(out)).returncode == 1
    assert len(errors.read_text(encoding="utf-8").splitlines()) == 1  # replaced, not appended
    bad.write_text(LEGACY.replace("北河县", "西坡县"), encoding="utf-8")  # fixed: now a report
    assert run("extract", str(good.parent), "-o", str(out)).returncode == 0
    assert not errors.exists()
    missing = run("extract", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "m.jsonl"))
    rec = json.loads((tmp_path / "m.jsonl.errors.jsonl").read_text(encoding="utf-8"))
    assert missing.returncode == 1 and rec["sha256"] is None and rec["error"] == "no such file"


def test_force_overwrites_instead_of_resuming(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.duckdb"
    out.write_text("not a database", encoding="utf-8")
    res = run("extract", str(folder / "2016_legacy_annex.txt"), "-o", str(out))
    assert res.returncode == 2 and "--force" in res.stderr and out.read_text(encoding="utf-8") == "not a database"
    assert run("extract", str(folder / "2016_legacy_annex.txt"), "-o", str(out), "--force").returncode == 0
    assert len(nianbao.load(out)["reports"]) == 1


# --- 4. duplicates ----------------------------------------------------------------------------------


README_QUERIES = [q.strip() for q in """
SELECT r.year, r.format_id, sum(c.value) AS requests
FROM cells c JOIN reports r USING (report)
WHERE c.key = 'table3.new_requests.total' GROUP BY ALL ORDER BY ALL;
---
SELECT rule, cause, count(*) AS n FROM checks WHERE status = 'fail' GROUP BY ALL ORDER BY n DESC, rule;
---
SELECT r.issuer, r.year, m.metric, m.prose_value, m.table_value
FROM merged m JOIN reports r USING (report) WHERE m.conflict ORDER BY ALL;
""".split("---")]


def test_readme_queries_match_the_reports_when_a_file_is_duplicated(folder: Path, duckdb_run) -> None:  # type: ignore[no-untyped-def]
    """The README's three queries, on a corpus with a copied file, equal the same queries per report."""
    import duckdb

    out, _ = duckdb_run
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for q in README_QUERIES:
        assert q.split("ORDER BY")[0].split("GROUP BY")[0].strip()[:40] in readme
    con = duckdb.connect(str(out), read_only=True)
    try:
        dup = con.execute("SELECT source, sources FROM reports WHERE len(sources) > 1").fetchall()
        assert len(dup) == 1 and sorted(Path(s).name for s in dup[0][1]) == ["2021_shi_shuiwuju.txt",
                                                                              "same_as_shuiwuju.txt"]
        assert con.execute("SELECT count(*), count(DISTINCT report) FROM reports").fetchone()[0] == n_unique(folder)
        got = [con.execute(q).fetchall() for q in README_QUERIES]
    finally:
        con.close()
    # the expected answers, from each distinct example report extracted on its own
    reports = [nianbao.extract(p) for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith("zz_")]
    per_year: dict[tuple[int, str], float] = {}
    for r in reports:
        c = r.tables.get("table3.new_requests.total")
        if c is not None:
            per_year[(r.year, r.format_id)] = per_year.get((r.year, r.format_id), 0) + (c.value or 0)
    assert [(y, f, v) for y, f, v in got[0] if v is not None] == sorted(
        (y, f, float(v)) for (y, f), v in per_year.items())
    fails = sum(1 for r in reports for c in r.checks if c.status == "fail")
    assert sum(n for _, _, n in got[1]) == fails
    conflicts = sum(1 for r in reports for m in r.merged.values() if m.conflict)
    assert len(got[2]) == conflicts


def test_duplicates_in_one_call_are_extracted_once(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text(LEGACY, encoding="utf-8")
    shutil.copy(a, tmp_path / "b.txt")
    res = run("extract", str(a), str(tmp_path / "b.txt"), quiet=True)
    lines = res.stdout.splitlines()
    assert res.returncode == 0 and len(lines) == 1
    assert json.loads(lines[0])["sources"] == [str(a), str(tmp_path / "b.txt")]


# --- 5. Stata and wide tables -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dta_run(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dta") / "corpus"
    res = run("extract", str(folder), "-o", str(out), "--format", "dta")
    assert res.returncode == 1 and "Traceback" not in res.stderr and "Warning" not in res.stderr, res.stderr
    return out


def test_stata_export_reads_back_with_labels(dta_run: Path, folder: Path) -> None:
    import pandas as pd

    assert sorted(p.name for p in dta_run.iterdir()) == sorted([*(f"{t}.dta" for t in (*TABLES, "wide")), "README.txt"])
    wide = pd.read_stata(dta_run / "wide.dta")
    assert len(wide) == n_unique(folder)
    assert "t3_new_req_tot" in wide.columns and "t3_new_req_tot_s" in wide.columns
    assert str(wide["t3_new_req_tot_s"].dtype) == "category"
    assert set(wide["t3_new_req_tot_s"].dropna()) <= {"ok", "derived", "blank", "ambiguous", "unparsable"}
    with pd.io.stata.StataReader(dta_run / "wide.dta") as reader:
        labels = reader.variable_labels()
        values = reader.value_labels()
    assert labels["t3_new_req_tot"] == "表三 一、本年新收申请 · 总计"
    assert labels["issuer"] == "发布机关"
    assert values["t3_new_req_tot_s"][0] == "ok"
    cells = pd.read_stata(dta_run / "cells.dta")
    assert {"start_offset", "end_offset", "status", "key"} <= set(cells.columns)
    with pd.io.stata.StataReader(dta_run / "checks.dta") as reader:
        assert set(reader.value_labels()["status"].values()) == {"pass", "fail", "assumed_zero", "not_assessable"}
    legacy = pd.read_stata(dta_run / "legacy.dta")
    assert len(legacy) == 12
    for name in (*TABLES, "wide"):
        cols = pd.read_stata(dta_run / f"{name}.dta").columns
        assert all(len(c) <= 32 and c.replace("_", "a").isalnum() and c.isascii() for c in cols), name
    back = nianbao.load(dta_run)
    assert len(back["reports"]) == n_unique(folder) and "start" in back["cells"].columns


def test_csv_export_has_long_wide_and_every_table(folder: Path, tmp_path: Path) -> None:
    import pandas as pd

    csv = tmp_path / "csv"
    assert run("extract", str(folder), "-o", str(csv), "--format", "csv").returncode == 1
    long = (csv / "long.csv").read_text(encoding="utf-8").splitlines()
    assert long[0] == "report,key,value,unit,status,source,start,end,text"
    assert any(",table," in ln for ln in long) and any(",prose," in ln for ln in long)
    wide = pd.read_csv(csv / "wide.csv")
    assert len(wide) == n_unique(folder)
    assert all(len(c) <= 32 and "." not in c for c in wide.columns)
    assert {"t3_new_req_tot", "t3_new_req_tot_s"} <= set(wide.columns)
    assert any("|" in ln for ln in (csv / "reports.csv").read_text(encoding="utf-8").splitlines())  # two paths, joined
    frames = nianbao.load(csv)
    assert set(frames) == set(TABLES) and str(frames["cells"]["start"].dtype) == "Int64"
    # load() gives lists and dicts back, as from Parquet
    assert sorted(len(s) for s in frames["reports"]["sources"])[-1] == 2
    paras = frames["paragraphs"]
    assert all(isinstance(t, list) for t in paras["themes"]) and all(isinstance(s, dict) for s in paras["scores"])
    assert any(paras["themes"].map(len)) and all(len(s) > 0 for s in paras["scores"])


# --- determinism ------------------------------------------------------------------------------------


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
    assert (tmp_path / "csv1" / "wide.csv").read_bytes() == (tmp_path / "csv2" / "wide.csv").read_bytes()
    assert len(outs[1]["reports"]) == 3 * len(lines)
    frames = export.load(tmp_path / "pq2")
    assert str(frames["cells"]["start"].dtype) == "Int64" and str(frames["cells"]["key"].dtype) == "string"


# --- 7. API -----------------------------------------------------------------------------------------


def test_api_mistyped_path_raises_and_text_is_explicit(tmp_path: Path) -> None:
    from nianbao.errors import ReadError

    with pytest.raises(ReadError) as err:
        nianbao.extract(str(tmp_path / "nope.pdf"))
    assert str(err.value) == f"{tmp_path / 'nope.pdf'}: no such file"
    with pytest.raises(ReadError):
        nianbao.extract(tmp_path / "nope.pdf")
    with pytest.raises(ReadError):
        nianbao.extract("北河县全年主动公开政府信息320条。")  # one line of text is taken as a (missing) path
    report = nianbao.extract(text=LEGACY)
    assert report.source == "<text>" and report.year == 2016 and len(report.legacy_stats) == 12
    with pytest.raises(TypeError):
        nianbao.extract(tmp_path / "a.txt", text=LEGACY)
    with pytest.raises(ReadError):
        list(nianbao.extract_many([tmp_path / "nope.txt"]))


def test_stata_files_read_in_r(dta_run: Path) -> None:
    """R's haven (ReadStat) reads the labels too; skipped where R or haven is not installed."""
    rscript = shutil.which("Rscript")
    if rscript is None or subprocess.run([rscript, "-e", "library(haven)"], capture_output=True).returncode:
        pytest.skip("Rscript with haven is not installed")
    code = ('library(haven); w <- read_dta(file.path(Sys.getenv("OUT"), "wide.dta")); '
            'cat(nrow(w), attr(w$t3_new_req_tot, "label"), as.character(as_factor(w$t3_new_req_tot_s))[1], sep = "\\n")')
    res = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, OUT=str(dta_run)))
    assert res.returncode == 0, res.stderr
    rows, label, status = res.stdout.strip().splitlines()[:3]
    assert int(rows) >= 8 and label == "表三 一、本年新收申请 · 总计" and status in ("ok", "NA", "derived")
