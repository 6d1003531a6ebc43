"""Output targets: JSON, JSON lines, DuckDB (one file each); CSV, Parquet, Stata (a folder of tables).

The ``-o`` rule: a format that holds several tables in one file writes exactly the file named
(``out.json``, ``out.jsonl``, ``out.duckdb``); a format with one table per file writes a folder
(``-o corpus --format parquet``) with one file per table, and refuses a name ending in its own
suffix, because tools read ``corpus.parquet`` as one table and would mix all of them.

Reports stream into ``<OUT>.partial.jsonl`` while a batch runs; ``finish()`` merges what an
earlier run left in the output with the staged reports, writes the result under a temporary
name, renames it into place and removes the staging file. An interrupted batch leaves the
staging file, and the next run resumes from it. Memory does not grow with the batch except
for Stata, whose files are written whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from nianbao.io.frames import LIST_SEP, TABLES, arrow_to_pandas, flatten, kinds, schema, to_arrow, to_frames, wide

CHUNK = 100  # staged reports per converted chunk: small enough to keep every process busy
FILE_FORMATS = ("json", "jsonl", "duckdb")  # -o names the file
FOLDER_FORMATS = ("csv", "parquet", "dta")  # -o names a folder, one file per table
FORMATS = (*FILE_FORMATS, *FOLDER_FORMATS)
TABLE_FORMATS = ("duckdb", *FOLDER_FORMATS)  # converted from the staged reports at the end of a batch
_SUFFIXES = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".duckdb": "duckdb", ".db": "duckdb",
             ".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".dta": "dta"}
_FILE_SUFFIX = {"csv": ".csv", "parquet": ".parquet", "dta": ".dta"}
DERIVED = {"csv": ("long", "wide"), "dta": ("wide",), "parquet": ()}  # tables built from the others


class OutputError(Exception):
    """The output location cannot be used (exists without --force, not writable…)."""


def resolve_format(output: Path | None, fmt: str | None) -> str:
    """The export format from ``--format`` and the output name; OutputError says what to type instead."""
    suffix = output.suffix.lower() if output is not None else ""
    implied = _SUFFIXES.get(suffix)
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise OutputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if output is None:
        return fmt or "json"
    chosen = fmt or implied
    if chosen is None:
        raise OutputError(f"cannot tell the format from the name{' ' + suffix if suffix else ''}: use a .json, .jsonl "
                          f"or .duckdb file name, or --format ({', '.join(FORMATS)})")
    if chosen in FOLDER_FORMATS and suffix == _FILE_SUFFIX[chosen]:
        raise OutputError(f"{chosen} writes a folder of tables (tools would read a {suffix} name as one table): "
                          f"use -o {output.with_suffix('')} --format {chosen}")
    if implied is not None and fmt is not None and implied != fmt and implied in FILE_FORMATS:
        raise OutputError(f"the name says {implied} but --format is {fmt}")
    return chosen


class Target:
    def __init__(self, path: Path, fmt: str, *, force: bool = False, jobs: int = 1) -> None:
        self.path = path
        self.fmt = fmt
        self.force = force
        self.jobs = jobs  # processes converting staged chunks in finish()
        self.staging = path if fmt == "jsonl" else path.with_name(path.name + ".partial.jsonl")
        self.errors_path = path.with_name(path.name + ".errors.jsonl")
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.exists():
            raise OutputError(f"folder {parent} does not exist")
        if path.exists() and path.is_dir() and fmt in FILE_FORMATS:
            raise OutputError("is a directory")
        if path.exists() and path.is_file() and fmt in FOLDER_FORMATS:
            raise OutputError(f"is a file, and {fmt} writes a folder")
        if force:  # the old output stays until the new one replaces it (finish)
            for p in (self.staging, self.errors_path):
                if p.exists() and p.is_file():
                    p.unlink()
        elif path.exists() and fmt != "jsonl" and not _is_export(path, fmt):
            raise OutputError(f"exists and is not a nianbao {fmt} export; use --force to overwrite it")

    def done(self) -> set[str]:
        """Content hashes already in the output or staged by an interrupted run (resume skips them)."""
        done = hashes_in(self.staging) if self.staging.exists() else set()
        if self.fmt != "jsonl" and self.path.exists():
            try:
                done |= _export_hashes(self.path, self.fmt)
            except Exception as exc:  # a damaged or foreign export: say so on one line
                msg = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
                raise OutputError(f"cannot read the existing export ({msg}); use --force to overwrite it") from None
        return done

    @contextlib.contextmanager
    def open_staging(self) -> Iterator[IO[str]]:
        with self.staging.open("a", encoding="utf-8") as fh:
            yield fh

    def write_errors(self, failures: list[dict[str, Any]]) -> None:
        """``<OUT>.errors.jsonl``: this run's failures only (removed when there are none)."""
        if not failures:
            self.errors_path.unlink(missing_ok=True)
            return
        tmp = self.errors_path.with_name(f".{self.errors_path.name}.tmp{os.getpid()}")
        tmp.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in failures), encoding="utf-8")
        os.replace(tmp, self.errors_path)

    def finish(self, new: int) -> None:
        """Merge the earlier output with the ``new`` staged reports into the final export."""
        if self.fmt == "jsonl":
            return
        if new == 0 and self.path.exists() and not self.force and not _has_lines(self.staging):
            self.staging.unlink(missing_ok=True)  # nothing new: the output stays as it is
            return
        if not self.staging.exists():
            self.staging.touch()
        tmp = self.path.with_name(f".{self.path.name}.tmp{os.getpid()}")
        _remove(tmp)
        old = self.path if self.path.exists() and not self.force else None
        try:
            if self.fmt == "json":
                _write_json(self.staging, tmp, old)
            elif self.fmt == "csv":
                _write_csv(self.staging, tmp, self.jobs, old)
            elif self.fmt == "parquet":
                _write_parquet(self.staging, tmp, self.jobs, old)
            elif self.fmt == "duckdb":
                _write_duckdb(self.staging, tmp, self.jobs, old)
            elif self.fmt == "dta":
                _write_dta(self.staging, tmp, self.jobs, old)
            if self.fmt in FOLDER_FORMATS:
                _folder_readme(tmp, self.fmt)
            _remove(self.path)
            os.replace(tmp, self.path)
        except OutputError:
            raise
        except Exception as exc:
            if old is None:
                raise  # a bug, not a problem with an earlier export
            # e.g. an export written by an older version with other columns: the staged reports stay for a rerun
            msg = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
            raise OutputError(f"cannot add to the existing export ({msg}); use --force to rewrite it") from None
        finally:
            _remove(tmp)
        self.staging.unlink(missing_ok=True)


def _folder_readme(out: Path, fmt: str) -> None:
    """``README.txt`` in a folder export: what each file holds and how to read one table.

    It also makes reading the whole folder as one dataset fail loudly (pandas/arrow stop at a
    file that is not Parquet) instead of silently stacking seven different tables.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("nianbao")
    except PackageNotFoundError:  # run from a source tree without installing
        __version__ = "(source)"
    suffix = _FILE_SUFFIX[fmt]
    names = [*TABLES, *DERIVED.get(fmt, ())]
    lines = [f"nianbao {__version__} export ({fmt}): one file per table, joined on the column `report`.",
             "Read one table at a time, never the folder as one dataset:", ""]
    reader = {"parquet": ("pandas.read_parquet", "arrow::read_parquet"), "csv": ("pandas.read_csv", "read.csv"),
              "dta": ("pandas.read_stata", "haven::read_dta")}[fmt]
    lines += [f"  Python: {reader[0]}('<folder>/cells{suffix}')   or all tables: nianbao.load('<folder>')",
              f"  R:      {reader[1]}('<folder>/cells{suffix}')", "", "Tables:"]
    for name in names:
        cols = ", ".join(kinds(name)) if name in TABLES else {
            "long": ", ".join(LONG_COLUMNS), "wide": "identity fields, then <short_name> and <short_name>_s per cell key"}[name]
        lines.append(f"  {name}{suffix}: {cols}")
    lines += ["", "Columns, types and keys: docs/exports.md and `nianbao codebook` (short names of the wide table)."]
    (out / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _has_lines(p: Path) -> bool:
    return p.exists() and p.stat().st_size > 0


def _is_export(path: Path, fmt: str) -> bool:
    """Whether an existing output is one this format can resume."""
    if fmt == "json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        items = data if isinstance(data, list) else [data]
        return all(isinstance(d, dict) and "sha256" in d for d in items)
    if fmt == "duckdb":
        try:
            return "sha256" in _duckdb_columns(path)
        except Exception:  # not a DuckDB file
            return False
    if path.is_dir():
        return (path / f"reports{_FILE_SUFFIX[fmt]}").exists()
    return False


def _duckdb_columns(path: Path) -> set[str]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'reports'").fetchall()}
    finally:
        con.close()


def _export_hashes(path: Path, fmt: str) -> set[str]:
    if fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return {d["sha256"] for d in (data if isinstance(data, list) else [data])}
    frames = load(path, tables=("reports",))
    return {str(h) for h in frames["reports"]["sha256"].dropna()}


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


def hashes_in(jsonl: Path) -> set[str]:
    """Content hashes of the reports in a JSON-lines file (torn lines skipped)."""
    return {d["sha256"] for d in _iter_dicts(jsonl) if d.get("sha256")}


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


def _write_json(staging: Path, out: Path, old: Path | None = None) -> None:
    """One object for one report, else an array (an earlier run's reports first)."""
    items: list[Any] = []
    if old is not None:
        data = json.loads(old.read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else [data]
    items += list(_iter_dicts(staging))
    data = items[0] if len(items) == 1 else items
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


LONG_COLUMNS = ["report", "key", "value", "unit", "status", "source", "start", "end", "text"]


def _long(frames: dict[str, Any]) -> Any:
    """Every table cell and prose fact in one table: ``source`` says which (table / prose)."""
    import pandas as pd

    cells = frames["cells"].assign(source="table", text=pd.NA)
    facts = frames["facts"].rename(columns={"metric": "key", "qualifier": "status"}).assign(source="prose")
    return pd.concat([cells[LONG_COLUMNS], facts[LONG_COLUMNS]], ignore_index=True)


def _write_csv(staging: Path, out: Path, jobs: int = 1, old: Path | None = None) -> None:
    """A folder: one CSV per table, long.csv (every cell and fact), wide.csv (a row per report).

    Lists are joined with ``|`` and paragraph scores written as JSON; an earlier run's rows come first.
    """
    import pandas as pd

    out.mkdir()
    if old is not None:
        for name in (*TABLES, "long"):
            if (old / f"{name}.csv").exists():
                shutil.copyfile(old / f"{name}.csv", out / f"{name}.csv")
    wide_parts = [pd.read_csv(old / "wide.csv", dtype={"report": "string"})] if old and (old / "wide.csv").exists() else []
    for frames in [*_chunks(staging, jobs=jobs), to_frames([])]:
        for name in TABLES:
            path = out / f"{name}.csv"
            flatten(frames[name], name).to_csv(path, mode="a", header=not path.exists(), index=False)
        path = out / "long.csv"
        _long(frames).to_csv(path, mode="a", header=not path.exists(), index=False)
        if not frames["reports"].empty:
            wide_parts.append(wide(frames))
    _wide_frame(wide_parts, to_frames([])).to_csv(out / "wide.csv", index=False)


def _wide_frame(parts: list[Any], empty: dict[str, Any]) -> Any:
    """The wide parts of several chunks as one table, columns in codebook order."""
    import pandas as pd

    from nianbao.io.codebook import entries

    if not parts:
        return wide(empty)
    df = pd.concat(parts, ignore_index=True)
    ident = list(wide(empty).columns)
    order = {e["short_name"]: i for i, e in enumerate(entries()) if e["short_name"]}
    rest = sorted((c for c in df.columns if c not in ident),
                  key=lambda c: (order.get(c.removesuffix("_s"), len(order)), c.removesuffix("_s"), c.endswith("_s")))
    return df[ident + rest]


def _write_parquet(staging: Path, out: Path, jobs: int = 1, old: Path | None = None) -> None:
    """A folder with one Parquet file per table, written chunk by chunk from Arrow tables (no pandas);
    an earlier run's rows are copied first, batch by batch."""
    import pyarrow.parquet as pq

    out.mkdir()
    writers = {name: pq.ParquetWriter(out / f"{name}.parquet", schema(name)) for name in TABLES}
    try:
        if old is not None:
            for name in TABLES:
                for batch in pq.ParquetFile(old / f"{name}.parquet").iter_batches():
                    writers[name].write_batch(_cast(batch, name))
        for tables in _arrow_chunks(staging, jobs):
            for name in TABLES:
                writers[name].write_table(tables[name])
    finally:
        for w in writers.values():
            w.close()


def _cast(batch: Any, name: str) -> Any:
    """A record batch of an earlier export in this version's schema (OutputError when impossible)."""
    try:
        return batch.select(list(schema(name).names)).cast(schema(name))
    except (KeyError, ValueError, TypeError) as exc:
        raise OutputError(f"the existing {name} table has other columns (older nianbao?); use --force to rewrite "
                          f"({exc})") from None


def _write_duckdb(staging: Path, out: Path, jobs: int = 1, old: Path | None = None) -> None:
    """Tables reports, cells, legacy, facts, paragraphs, checks, merged (inserted from Arrow tables)."""
    import duckdb

    if old is not None:
        shutil.copyfile(old, out)
    con = duckdb.connect(str(out))
    try:
        existing = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        for tables in _arrow_chunks(staging, jobs):
            for name in TABLES:
                con.register("chunk", tables[name])
                if name in existing:
                    cols = ", ".join(f'"{c}"' for c in tables[name].column_names)
                    con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM chunk")
                else:
                    con.execute(f"CREATE TABLE {name} AS SELECT * FROM chunk")
                    existing.add(name)
                con.unregister("chunk")
    finally:
        con.close()


# --- Stata ---------------------------------------------------------------------------------------

STATUS_TYPES = ("ok", "blank", "absent", "unparsable", "assumed_zero", "ambiguous", "derived")
CHECK_STATUSES = ("pass", "fail", "assumed_zero", "not_assessable")
_VALUE_LABELS = {("cells", "status"): STATUS_TYPES, ("legacy", "status"): STATUS_TYPES,
                 ("checks", "status"): CHECK_STATUSES}
_TABLE_LABELS = {"reports": "nianbao: one row per report", "cells": "nianbao: table cells (Tables 2/3/4)",
                 "legacy": "nianbao: 2008-2018 statistics annex", "facts": "nianbao: numbers stated in the text",
                 "paragraphs": "nianbao: paragraphs with role and themes", "checks": "nianbao: arithmetic checks",
                 "merged": "nianbao: text and table values merged", "wide": "nianbao: one row per report, every cell"}
_COLUMN_LABELS = {"report": "报告编号 (内容哈希前16位)", "source": "源文件", "sources": "全部源文件", "issuer": "发布机关",
                  "issuer_id": "机关代码", "division_code": "行政区划代码", "issuer_level": "机关层级",
                  "issuer_kind": "机关类型", "year": "报告年度", "format_id": "格式版本", "key": "指标键",
                  "value": "数值", "raw": "原文", "unit": "单位", "status": "状态", "start": "起始偏移",
                  "end": "结束偏移", "text": "原文句子", "metric": "指标", "label": "指标名称", "period": "统计期",
                  "section": "章节", "role": "段落作用", "themes": "主题", "severity": "严重程度", "rule": "规则"}


def stata_frame(df: Any, name: str) -> tuple[Any, dict[str, str]]:
    """A table ready for ``to_stata``: nested values as text, nullable ints as float, statuses as
    labelled categories, text as plain strings; returns it with its variable labels."""
    import pandas as pd

    from nianbao.io.codebook import label, short_name

    out = flatten(df, name) if name in TABLES else df.copy()
    kind = kinds(name) if name in TABLES else {}
    labels: dict[str, str] = {}
    keys = {short_name(k): k for k in (df.attrs.get("keys") or [])}
    for col in list(out.columns):
        k = kind.get(col, "")
        values = _VALUE_LABELS.get((name, col)) or (STATUS_TYPES if name == "wide" and col.endswith("_s") else None)
        if values and len(out):
            out[col] = pd.Categorical(out[col].astype("object").where(out[col].notna(), None), categories=values)
        elif k in ("int64", "bool") or str(out[col].dtype) in ("Int64", "boolean"):
            out[col] = out[col].astype("float64")
        elif k == "float64" or str(out[col].dtype).startswith("float"):
            out[col] = out[col].astype("float64")
        else:
            out[col] = [("" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v))
                        for v in out[col]]
        base = col.removesuffix("_s") if name == "wide" else col
        if base in keys:
            labels[col] = (label(keys[base]) + (" 状态" if col.endswith("_s") else ""))[:80]
        elif col in _COLUMN_LABELS:
            labels[col] = _COLUMN_LABELS[col]
    out = out.rename(columns=STATA_RENAMES)
    return out, {STATA_RENAMES.get(k, k): v for k, v in labels.items()}


STATA_RENAMES = {"start": "start_offset", "end": "end_offset"}  # `end` is a reserved word in Stata


def _write_dta(staging: Path, out: Path, jobs: int = 1, old: Path | None = None) -> None:
    """A folder with one Stata 14+ file (.dta version 118, UTF-8) per table plus wide.dta.

    Names are valid and at most 32 characters (wide columns use the codebook's short names),
    variables carry Chinese labels, statuses are value-labelled. Written whole, in memory.
    """
    import pandas as pd

    parts: dict[str, list[Any]] = {name: [] for name in TABLES}
    if old is not None:
        earlier = load(old)
        for name in TABLES:
            parts[name].append(earlier[name])
    for frames in _chunks(staging, jobs=jobs):
        for name in TABLES:
            parts[name].append(frames[name])
    empty = to_frames([])
    frames = {}
    for name in TABLES:
        got = [p for p in parts[name] if not p.empty]
        frames[name] = pd.concat(got, ignore_index=True) if got else empty[name]
        if old is not None and got:  # flattened text of an earlier run stays text; new lists are flattened alike
            frames[name] = flatten(frames[name], name)
    out.mkdir()
    tables = {**frames, "wide": wide(frames)}
    tables["wide"].attrs["keys"] = sorted(set(frames["cells"]["key"].dropna()))
    for name, df in tables.items():
        frame, labels = stata_frame(df, name)
        frame.to_stata(out / f"{name}.dta", write_index=False, version=118, variable_labels=labels,
                       data_label=_TABLE_LABELS[name])


# --- reading exports back --------------------------------------------------------------------------


def load(path: str | Path, tables: Iterable[str] = TABLES) -> dict[str, Any]:
    """Load an export (json, jsonl, duckdb file; csv, parquet, dta folder) back as DataFrames."""
    p = Path(path)
    names = tuple(tables)
    if p.is_dir():
        import pandas as pd

        if (p / "reports.parquet").exists():
            import pyarrow.parquet as pq

            return {n: arrow_to_pandas(pq.read_table(p / f"{n}.parquet")) for n in names}
        if (p / "reports.csv").exists():
            return {n: _read_csv(p / f"{n}.csv", n) for n in names}
        if (p / "reports.dta").exists():
            back = {v: k for k, v in STATA_RENAMES.items()}
            return {n: pd.read_stata(p / f"{n}.dta").rename(columns=back) for n in names}
        raise FileNotFoundError("not a nianbao export folder (no reports table)")
    if not p.exists():
        raise FileNotFoundError("no such file")
    if p.suffix in (".duckdb", ".db"):
        import duckdb

        con = duckdb.connect(str(p), read_only=True)
        try:
            return {n: arrow_to_pandas(_arrow_of(con.sql(f"SELECT * FROM {n}"))) for n in names}
        finally:
            con.close()
    if p.suffix == ".json":
        data = json.loads(p.read_text(encoding="utf-8"))
        frames = to_frames(data if isinstance(data, list) else [data])
    else:
        frames = to_frames(_iter_dicts(p))
    return {n: frames[n] for n in names}


def _arrow_of(result: Any) -> Any:
    """A DuckDB relation as an Arrow table (the method's name changed in DuckDB 2)."""
    fetch = getattr(result, "to_arrow_table", None) or result.arrow
    return fetch()


def _read_csv(path: Path, name: str) -> Any:
    """A CSV table with the export's dtypes; ``|``-joined lists and JSON scores back as lists and dicts,
    so ``load()`` gives the same frames for CSV as for Parquet and DuckDB."""
    import pandas as pd

    dtypes = {"string": "string", "int64": "Int64", "float64": "float64", "bool": "boolean"}
    spec = {c: dtypes.get(k, "string") for c, k in kinds(name).items()}
    df = pd.read_csv(path, dtype=spec, keep_default_na=False, na_values=[""])
    for col, kind in kinds(name).items():
        if col not in df.columns:
            continue
        if kind == "map":
            df[col] = [json.loads(v) if isinstance(v, str) and v else {} for v in df[col]]
        elif kind.startswith("list<"):
            conv = float if kind == "list<float64>" else str
            df[col] = [[conv(x) for x in v.split(LIST_SEP)] if isinstance(v, str) and v else [] for v in df[col]]
    return df
