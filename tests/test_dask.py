"""Scale-out on Dask distributed: a local cluster of 2 worker processes gives the same bytes as --jobs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")

import nianbao
from example_inputs import copy_inputs
from export_fixtures import LEGACY

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}) as c:
        yield c


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not EXAMPLES.is_dir():
        pytest.skip("examples/ is not available")
    d = tmp_path_factory.mktemp("dask_in")
    copy_inputs(d)
    (d / "annex.txt").write_text(LEGACY, encoding="utf-8")
    shutil.copy(d / "annex.txt", d / "annex_copy.txt")
    (d / "zz_broken.pdf").write_bytes(b"%PDF-1.4\n garbage \n%%EOF")
    return d


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, NIANBAO_QUIET="1", NIANBAO_SCHEDULER_TIMEOUT="3s"))


def test_scheduler_batch_equals_jobs_batch(cluster, folder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    local, remote = tmp_path / "jobs.jsonl", tmp_path / "dask.jsonl"
    a = _run("extract", str(folder), "-o", str(local), "--jobs", "2")
    b = _run("extract", str(folder), "-o", str(remote), "--scheduler", cluster.scheduler_address)
    assert a.returncode == b.returncode == 1, b.stderr  # the broken PDF, reported by both
    assert a.stderr == b.stderr
    assert local.read_bytes() == remote.read_bytes() and local.stat().st_size > 0
    db_local, db_remote = tmp_path / "jobs", tmp_path / "dask"
    _run("extract", str(folder), "-o", str(db_local), "--format", "parquet", "--jobs", "2")
    _run("extract", str(folder), "-o", str(db_remote), "--format", "parquet", "--scheduler", cluster.scheduler_address)
    for p in sorted(db_local.iterdir()):
        assert p.read_bytes() == (db_remote / p.name).read_bytes(), p.name
    errors = (tmp_path / "dask.jsonl.errors.jsonl").read_text(encoding="utf-8")
    assert "zz_broken.pdf" in errors


def test_extract_many_on_a_client_equals_local(cluster, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from dask.distributed import Client

    paths = sorted(p for p in folder.iterdir() if not p.name.startswith("zz_"))
    local = [r.model_dump_json() for r in nianbao.extract_many(paths, jobs=2)]
    with Client(cluster) as client:
        remote = [r.model_dump_json() for r in nianbao.extract_many(paths, client=client)]
    assert local == remote and len(remote) == len(paths)  # one report per path, duplicates included
    assert [r.source for r in nianbao.extract_many(paths[:2])] == [str(p) for p in paths[:2]]


def test_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    report = tmp_path / "a.txt"
    report.write_text(LEGACY, encoding="utf-8")
    res = _run("extract", str(report), "-o", str(tmp_path / "o.jsonl"), "--scheduler", "tcp://127.0.0.1:9")
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nianbao: error: tcp://127.0.0.1:9: cannot reach the Dask scheduler")
