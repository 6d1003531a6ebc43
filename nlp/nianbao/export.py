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
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .frames import TABLES, to_frames, wide
from .schema import Report

CHUNK = 500


class OutputError(Exception):
    """The output location cannot be used (exists without --force, not writable…)."""


class Target:
    def __init__(self, path: Path, fmt: str, *, force: bool = False) -> None:
        self.path = path
        self.fmt = fmt
        self.force = force
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
                _write_csv(self.staging, tmp)
            elif self.fmt == "parquet":
                _write_parquet(self.staging, tmp)
            elif self.fmt == "duckdb":
                _write_duckdb(self.staging, tmp)
            _remove(self.path)
            os.replace(tmp, self.path)
        finally:
            _remove(tmp)
        if self.fmt == "json":
            self.staging.unlink(missing_ok=True)


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
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
            except ValueError:
                continue  # torn line of an interrupted run
            if isinstance(d, dict) and "source" in d:
                yield d


def _chunks(jsonl: Path) -> Iterator[dict[str, Any]]:
    batch: list[dict[str, Any]] = []
    for r in _iter_dicts(jsonl):
        batch.append(r)
        if len(batch) >= CHUNK:
            yield to_frames(batch)
            batch = []
    if batch:
        yield to_frames(batch)


def _write_json(staging: Path, out: Path) -> None:
    items = [json.loads(line) for line in staging.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = items[0] if len(items) == 1 else items
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_csv(staging: Path, out: Path) -> None:
    """A folder: long.csv (every cell and fact), wide.csv (a row per report), and one CSV per table."""
    import pandas as pd

    out.mkdir()
    wide_parts = []
    first = True
    for frames in _chunks(staging):
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


def _write_parquet(staging: Path, out: Path) -> None:
    """A folder with one Parquet file per table, written chunk by chunk."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir()
    writers: dict[str, Any] = {}
    try:
        for frames in _chunks(staging):
            for name in TABLES:
                table = pa.Table.from_pandas(frames[name], preserve_index=False)
                if name not in writers:
                    writers[name] = pq.ParquetWriter(out / f"{name}.parquet", table.schema)
                writers[name].write_table(table.cast(writers[name].schema))
        for name, df in to_frames([]).items():
            if name not in writers:
                pq.write_table(pa.Table.from_pandas(df, preserve_index=False), out / f"{name}.parquet")
    finally:
        for w in writers.values():
            w.close()


def _write_duckdb(staging: Path, out: Path) -> None:
    """Tables reports, cells, facts, paragraphs, checks, merged."""
    import duckdb

    con = duckdb.connect(str(out))
    try:
        created: set[str] = set()
        for frames in _chunks(staging):
            for name in TABLES:
                df = frames[name]
                if name in created:
                    con.execute(f"INSERT INTO {name} SELECT * FROM df")
                else:
                    con.execute(f"CREATE TABLE {name} AS SELECT * FROM df")
                    created.add(name)
        for name, df in to_frames([]).items():  # noqa: B007
            if name not in created:
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM df")
    finally:
        con.close()


def load(path: str | Path) -> dict[str, Any]:
    """Load an export (jsonl, csv folder, parquet folder, duckdb file) back as DataFrames."""
    p = Path(path)
    if p.is_dir():
        import pandas as pd

        if (p / "reports.parquet").exists():
            return {n: pd.read_parquet(p / f"{n}.parquet") for n in TABLES}
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
