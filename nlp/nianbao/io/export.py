"""Output targets: JSON, JSON lines, CSV (long + wide), Parquet, DuckDB.

Reports stream into a JSON-lines staging file; ``finish()`` converts it in chunks
to the requested format under a temporary name and renames it into place, so a
crash never leaves a half-written export and memory does not grow with the batch.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from nianbao.io.frames import TABLES, arrow_to_pandas, to_arrow, to_frames, wide
from nianbao.schema import Report

CHUNK = 100  # staged reports per converted chunk: small enough to keep every process busy


class OutputError(Exception):
    """The output location cannot be used (exists without --force, not writable…)."""


class Target:
    def __init__(self, path: Path, fmt: str, *, force: bool = False, jobs: int = 1) -> None:
        self.path = path
        self.fmt = fmt
        self.force = force
        self.jobs = jobs  # processes converting staged chunks in finish()
        if fmt == "jsonl":
            self.staging = path
        else:
            self.staging = path.with_name(path.name + ".reports.jsonl")
        self.errors_path = path.with_name(path.name + ".errors.jsonl")
        if path.exists() and fmt != "jsonl" and not force:
            raise OutputError("output exists; use --force to overwrite it (or remove it)")
        if path.exists() and path.is_dir() and fmt in ("json", "jsonl", "duckdb"):
            raise OutputError("is a directory")
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.exists():
            raise OutputError(f"folder {parent} does not exist")
        if force:
            for p in (self.staging, self.errors_path):
                if p.exists() and p != path:
                    p.unlink()
            if fmt == "jsonl" and path.exists():
                path.unlink()

    @contextlib.contextmanager
    def open_staging(self, append: bool) -> Iterator[IO[str]]:
        mode = "a" if append and self.staging.exists() else "w"
        with self.staging.open(mode, encoding="utf-8") as fh:
            yield fh

    @contextlib.contextmanager
    def open_errors(self) -> Iterator[IO[str]]:
        with self.errors_path.open("a", encoding="utf-8") as fh:
            yield fh
        if self.errors_path.exists() and self.errors_path.stat().st_size == 0:
            self.errors_path.unlink()

    def finish(self) -> None:
        if self.fmt == "jsonl":
            return
        tmp = self.path.with_name(f".{self.path.name}.tmp{os.getpid()}")
        _remove(tmp)
        try:
            if self.fmt == "json":
                _write_json(self.staging, tmp)
            elif self.fmt == "csv":
                _write_csv(self.staging, tmp, self.jobs)
            elif self.fmt == "parquet":
                _write_parquet(self.staging, tmp, self.jobs)
            elif self.fmt == "duckdb":
                _write_duckdb(self.staging, tmp, self.jobs)
            _remove(self.path)
            os.replace(tmp, self.path)
        finally:
            _remove(tmp)
        if self.fmt == "json":
            self.staging.unlink(missing_ok=True)


def warm_up(fmt: str) -> None:
    """Import what converting to ``fmt`` needs (pyarrow imports pandas on its first array).

    A batch calls this in a thread while worker processes extract: the import then costs idle
    time, and the conversion processes forked later inherit the loaded modules.
    """
    import pandas  # noqa: F401
    import pyarrow as pa

    pa.array([0])
    if fmt == "parquet":
        import pyarrow.parquet  # noqa: F401
    elif fmt == "duckdb":
        import duckdb  # noqa: F401


def _remove(p: Path) -> None:
    if p.is_dir():
        shutil.rmtree(p)
    elif p.exists():
        p.unlink()


def iter_reports(jsonl: Path) -> Iterator[Report]:
    """Reports of a JSON-lines export, validated; torn or foreign lines are skipped."""
    for d in _iter_dicts(jsonl):
        try:
            yield Report.model_validate(d)
        except ValueError:
            continue


def _iter_dicts(jsonl: Path) -> Iterator[dict[str, Any]]:
    """Staged reports as plain JSON objects: the staging file holds only what ``Report`` wrote,
    so converting it needs no second validation (which cost more than the conversion itself)."""
    with jsonl.open(encoding="utf-8") as fh:
        yield from _parse_lines(fh)


def _parse_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            d = json.loads(line)
        except ValueError:
            continue  # torn line of an interrupted run
        if isinstance(d, dict) and "source" in d:
            yield d


def _chunk_ranges(jsonl: Path, size: int) -> Iterator[tuple[int, int]]:
    """Byte ranges of ``size`` staged lines each: workers read their own chunk, nothing big is pickled."""
    with jsonl.open("rb") as fh:
        start = pos = 0
        count = 0
        for line in fh:
            pos += len(line)
            count += 1
            if count == size:
                yield start, pos
                start, count = pos, 0
        if count:
            yield start, pos


def _convert_range(jsonl: str, start: int, end: int, arrow: bool) -> dict[str, Any]:
    """One chunk of the staging file as tables (runs in a worker process)."""
    with open(jsonl, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start).decode("utf-8", errors="replace")
    reports = list(_parse_lines(data.splitlines()))
    return to_arrow(reports) if arrow else to_frames(reports)


def _chunks(jsonl: Path, arrow: bool = False, jobs: int = 1) -> Iterator[dict[str, Any]]:
    """The staged reports, CHUNK at a time and in order, as DataFrames (or Arrow tables).

    With ``jobs`` > 1 the chunks are parsed and converted by that many processes, with at most
    two chunks per process in flight, so memory stays bounded and the output order is unchanged.
    """
    if jobs <= 1:
        for start, end in _chunk_ranges(jsonl, CHUNK):
            yield _convert_range(str(jsonl), start, end, arrow)
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[Any] = deque()
        for start, end in _chunk_ranges(jsonl, CHUNK):
            pending.append(pool.submit(_convert_range, str(jsonl), start, end, arrow))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _arrow_chunks(staging: Path, jobs: int) -> Iterator[dict[str, Any]]:
    """Arrow chunks of the staged reports; one chunk of empty tables when nothing is staged,
    so every table exists with its columns."""
    empty = True
    for tables in _chunks(staging, arrow=True, jobs=jobs):
        empty = False
        yield tables
    if empty:
        yield to_arrow([])


def _write_json(staging: Path, out: Path) -> None:
    items = [json.loads(line) for line in staging.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = items[0] if len(items) == 1 else items
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_csv(staging: Path, out: Path, jobs: int = 1) -> None:
    """A folder: long.csv (every cell and fact), wide.csv (a row per report), and one CSV per table."""
    import pandas as pd

    out.mkdir()
    wide_parts = []
    first = True
    for frames in _chunks(staging, jobs=jobs):
        for name in TABLES:
            frames[name].to_csv(out / f"{name}.csv", mode="w" if first else "a", header=first, index=False)
        long = pd.concat([
            frames["cells"].assign(source="table")[["report", "key", "value", "unit", "status", "source", "start",
                                                     "end"]],
            frames["facts"].rename(columns={"metric": "key", "qualifier": "status"}).assign(source="prose")[
                ["report", "key", "value", "unit", "status", "source", "start", "end"]],
        ])
        long.to_csv(out / "long.csv", mode="w" if first else "a", header=first, index=False)
        wide_parts.append(frames["reports"][["report", "source", "issuer", "year", "format_id"]].merge(
            wide(frames["cells"]), on="report", how="left") if not frames["cells"].empty else
            frames["reports"][["report", "source", "issuer", "year", "format_id"]])
        first = False
    if first:  # no reports: still write headers
        for name, df in to_frames([]).items():
            df.to_csv(out / f"{name}.csv", index=False)
        pd.DataFrame(columns=["report", "key", "value", "unit", "status", "source", "start", "end"]).to_csv(
            out / "long.csv", index=False)
    wide_df = pd.concat(wide_parts) if wide_parts else pd.DataFrame(columns=["report"])
    wide_df.to_csv(out / "wide.csv", index=False)


def _write_parquet(staging: Path, out: Path, jobs: int = 1) -> None:
    """A folder with one Parquet file per table, written chunk by chunk from Arrow tables (no pandas)."""
    import pyarrow.parquet as pq

    out.mkdir()
    writers: dict[str, Any] = {}
    try:
        for tables in _arrow_chunks(staging, jobs):
            for name in TABLES:
                if name not in writers:
                    writers[name] = pq.ParquetWriter(out / f"{name}.parquet", tables[name].schema)
                writers[name].write_table(tables[name])
    finally:
        for w in writers.values():
            w.close()


def _write_duckdb(staging: Path, out: Path, jobs: int = 1) -> None:
    """Tables reports, cells, facts, paragraphs, checks, merged (inserted from Arrow tables)."""
    import duckdb

    con = duckdb.connect(str(out))
    try:
        created: set[str] = set()
        for tables in _arrow_chunks(staging, jobs):
            for name in TABLES:
                con.register("chunk", tables[name])
                if name in created:
                    con.execute(f"INSERT INTO {name} SELECT * FROM chunk")
                else:
                    con.execute(f"CREATE TABLE {name} AS SELECT * FROM chunk")
                    created.add(name)
                con.unregister("chunk")
    finally:
        con.close()


def load(path: str | Path) -> dict[str, Any]:
    """Load an export (jsonl, csv folder, parquet folder, duckdb file) back as DataFrames."""
    p = Path(path)
    if p.is_dir():
        import pandas as pd

        if (p / "reports.parquet").exists():
            import pyarrow.parquet as pq

            return {n: arrow_to_pandas(pq.read_table(p / f"{n}.parquet")) for n in TABLES}
        if (p / "reports.csv").exists():
            return {n: pd.read_csv(p / f"{n}.csv") for n in TABLES}
        raise FileNotFoundError(f"{p}: not a nianbao export folder")
    if p.suffix in (".duckdb", ".db"):
        import duckdb

        con = duckdb.connect(str(p), read_only=True)
        try:
            return {n: con.execute(f"SELECT * FROM {n}").df() for n in TABLES}
        finally:
            con.close()
    return to_frames(_iter_dicts(p))
