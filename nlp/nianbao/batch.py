"""Batch extraction: expand inputs, process with N workers, stream results, record failures.

Results stream to a JSON-lines file (the staging file for csv/parquet/duckdb
exports), so memory stays flat and an interrupted batch resumes: a file whose
content hash is already in the output is skipped. Existing output is never
overwritten without ``--force``; exports are written to a temporary name and
renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nianbao.io.readers import HTML_SUFFIXES, MARKDOWN_SUFFIXES

REPORT_SUFFIXES = {".txt", ".pdf", ".docx", *HTML_SUFFIXES, *MARKDOWN_SUFFIXES}
TABLE_FORMATS = ("csv", "parquet", "duckdb")  # written as tables at the end of a batch
FORMATS = ("json", "jsonl", *TABLE_FORMATS)


@dataclass
class Outcome:
    source: str
    sha256: str
    line: str | None = None  # the report as one JSON line
    error: str | None = None
    failed_checks: int = 0


@dataclass
class Summary:
    files: int = 0
    reports: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    failing_checks: int = 0


def expand_inputs(items: Iterable[Path]) -> list[Path]:
    """Files as given; folders walked (sorted) for report files. Missing paths are kept to be reported."""
    out: list[Path] = []
    for item in items:
        if item.is_dir():
            found = sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(item).parts))
            out.extend(found or [item])  # an empty folder is reported as a bad input
        else:
            out.append(item)
    return out


def report_json(report: Any) -> str:
    """Deterministic one-line JSON of a Report."""
    return report.model_dump_json()


def process_path(path: str, options: dict[str, Any] | None = None) -> Outcome:
    """Worker: never raises; a bad input becomes an Outcome with an error."""
    from nianbao.errors import NianbaoError
    from nianbao.io.readers import read
    from nianbao.pipeline import process

    sha = ""
    try:
        doc = read(path)
        sha = doc.sha256
        report = process(doc, options=options)
    except NianbaoError as exc:
        return Outcome(path, sha, error=exc.reason)
    except MemoryError:
        return Outcome(path, sha, error="out of memory while processing")
    except Exception as exc:  # a bug must not stop the batch; report it on one line
        msg = str(exc).splitlines()[0][:200] if str(exc) else ""
        return Outcome(path, sha, error=f"internal error ({type(exc).__name__}: {msg})")
    failed = sum(1 for c in report.checks if c.status == "fail")
    return Outcome(path, report.sha256, line=report_json(report), failed_checks=failed)


def _run(paths: list[Path], jobs: int, options: dict[str, Any]) -> Iterator[Outcome]:
    if jobs <= 1 or len(paths) <= 1:
        for p in paths:
            yield process_path(str(p), options)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        # map keeps input order, so output is identical whatever --jobs is
        yield from pool.map(process_path, [str(p) for p in paths], [options] * len(paths), chunksize=1)


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def done_hashes(jsonl: Path) -> set[str]:
    """Content hashes of reports already in an output file (for resuming)."""
    done: set[str] = set()
    if not jsonl.exists():
        return done
    with jsonl.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                done.add(json.loads(line)["sha256"])
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line of an interrupted run
    return done


def _progress(enabled: bool, total: int) -> Any:
    if not enabled:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    prog = Progress(TextColumn("[bold]extract"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    TextColumn("{task.description}"), transient=False, console=None)
    prog.start()
    task = prog.add_task("", total=total)
    return prog, task


def run_cli(
    items: list[Path],
    *,
    output: Path | None,
    fmt: str | None,
    jobs: int,
    force: bool,
    options: dict[str, Any],
    progress: bool | None,
    fail: Callable[[str, str], None],
) -> int:
    """The ``extract`` command. Returns the exit status (0 ok, 1 some inputs failed, 2 usage)."""
    fmt = (fmt or (_format_from_suffix(output) if output else None) or "json").lower()
    if fmt not in FORMATS:
        fail(str(output or "-"), f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
        return 2
    paths = expand_inputs(items)
    if not paths:
        fail(", ".join(map(str, items)) or "-", "no report files found")
        return 1
    if output is None:
        if fmt in TABLE_FORMATS:
            fail("-", f"--format {fmt} needs -o OUTPUT")
            return 2
        return _to_stdout(paths, jobs, options, single=len(paths) == 1 and fmt == "json", fail=fail)
    from nianbao.io import export

    try:
        target = export.Target(output, fmt, force=force, jobs=jobs)
    except export.OutputError as exc:
        fail(str(output), str(exc))
        return 2
    summary = Summary(files=len(paths))
    done = set() if force else done_hashes(target.staging)
    todo: list[Path] = []
    for p in paths:
        sha = file_sha256(p) if done else None
        if sha is not None and sha in done:
            summary.skipped += 1
        else:
            todo.append(p)
    show = progress if progress is not None else sys.stderr.isatty()
    bar = _progress(show, len(todo))
    warmer: threading.Thread | None = None
    try:
        with target.open_staging(append=bool(done)) as sink, target.open_errors() as errors:
            for outcome in _run(todo, jobs, options):
                if warmer is None and jobs > 1 and fmt in TABLE_FORMATS:
                    # the workers exist by now (no fork while this thread imports): load the export
                    # libraries while they extract, so the conversion at the end starts warm
                    warmer = threading.Thread(target=export.warm_up, args=(fmt,), daemon=True)
                    warmer.start()
                if outcome.error is not None:
                    summary.failures.append((outcome.source, outcome.error))
                    fail(outcome.source, outcome.error)
                    errors.write(json.dumps({"source": outcome.source, "sha256": outcome.sha256,
                                             "error": outcome.error}, ensure_ascii=False) + "\n")
                else:
                    sink.write(outcome.line + "\n")  # type: ignore[operator]
                    summary.reports += 1
                    summary.failing_checks += outcome.failed_checks
                if bar is not None:
                    bar[0].update(bar[1], advance=1, description=Path(outcome.source).name[:40])
        if warmer is not None:
            warmer.join()  # before finish() forks conversion processes
        if bar is not None and fmt in TABLE_FORMATS:  # converting a big batch takes a while: say so
            bar[0].update(bar[1], description=f"writing {fmt} ({summary.reports + len(done)} reports)…")
        target.finish()
    finally:
        if bar is not None:
            bar[0].stop()
    _summary(summary, target.path)
    return 1 if summary.failures else 0


def _to_stdout(paths: list[Path], jobs: int, options: dict[str, Any], *, single: bool,
               fail: Callable[[str, str], None]) -> int:
    failed = 0
    for outcome in _run(paths, jobs, options):
        if outcome.error is not None:
            failed += 1
            fail(outcome.source, outcome.error)
            continue
        if single:
            sys.stdout.write(json.dumps(json.loads(outcome.line or "{}"), ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write((outcome.line or "") + "\n")
        sys.stdout.flush()
    return 1 if failed else 0


def _format_from_suffix(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    return {"json": "json", "jsonl": "jsonl", "ndjson": "jsonl", "csv": "csv", "parquet": "parquet",
            "duckdb": "duckdb", "db": "duckdb"}.get(suffix)


def _summary(s: Summary, out: Path) -> None:
    lines = [f"nianbao: {s.files} files, {s.reports} reports written to {out}, {s.skipped} already done, "
             f"{len(s.failures)} failed, {s.failing_checks} failing checks"]
    if os.environ.get("NIANBAO_QUIET"):
        return
    sys.stderr.write("\n".join(lines) + "\n")
