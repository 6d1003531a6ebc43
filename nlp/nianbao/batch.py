"""Batch extraction: expand inputs, process with N workers or a Dask cluster, stream results, record failures.

Files with identical content (same SHA-256) are extracted once; the report lists every path in
``sources``. Results stream to a JSON-lines file (the output itself for jsonl, else
``<OUT>.partial.jsonl``), so memory stays flat and an interrupted batch resumes: a file whose
content hash is already in the output or the staging file is skipped, whatever the format.
``<OUT>.errors.jsonl`` lists the failures of the latest run. Existing output is never
overwritten without ``--force``; exports are written to a temporary name and renamed into place.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nianbao.io.inputs import REPORT_SUFFIXES, expand_inputs, file_sha256, group_by_content

__all__ = ["REPORT_SUFFIXES", "expand_inputs", "extract_many", "file_sha256", "group_by_content", "outcomes",
           "process_path", "run_cli"]


@dataclass
class Outcome:
    source: str
    sha256: str | None
    line: str | None = None  # the report as one JSON line
    error: str | None = None
    failed_checks: int = 0


@dataclass
class Summary:
    files: int = 0
    reports: int = 0
    duplicates: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    failing_checks: int = 0




def report_json(report: Any) -> str:
    """Deterministic one-line JSON of a Report."""
    return report.model_dump_json()


def process_path(path: str, options: dict[str, Any] | None = None, sources: list[str] | None = None) -> Outcome:
    """Worker (local process or Dask worker): never raises; a bad input becomes an Outcome with an error."""
    from nianbao.errors import NianbaoError
    from nianbao.io.readers import read
    from nianbao.pipeline import process

    try:
        doc = read(path)
        report = process(doc, options=options)
        report.sources = list(sources or [path])
    except NianbaoError as exc:
        return Outcome(path, file_sha256(Path(path)), error=exc.reason)
    except MemoryError:
        return Outcome(path, file_sha256(Path(path)), error="out of memory while processing")
    except Exception as exc:  # a bug must not stop the batch; report it on one line
        msg = str(exc).splitlines()[0][:200] if str(exc) else ""
        return Outcome(path, file_sha256(Path(path)), error=f"internal error ({type(exc).__name__}: {msg})")
    failed = sum(1 for c in report.checks if c.status == "fail")
    return Outcome(path, report.sha256, line=report_json(report), failed_checks=failed)


def outcomes(paths: list[Path], *, jobs: int = 1, options: dict[str, Any] | None = None, client: Any = None,
             sources: list[list[str]] | None = None) -> Iterator[Outcome]:
    """Outcomes in input order, from this process, ``jobs`` local processes or a Dask ``client``.

    Order never depends on the engine, so every engine writes byte-identical output.
    """
    opts = options or {}
    srcs = sources or [[str(p)] for p in paths]
    if client is not None:
        yield from _run_dask(client, paths, opts, srcs)
    elif jobs <= 1 or len(paths) <= 1:
        for p, s in zip(paths, srcs, strict=True):
            yield process_path(str(p), opts, s)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            # map keeps input order, so output is identical whatever --jobs is
            yield from pool.map(process_path, [str(p) for p in paths], [opts] * len(paths), srcs, chunksize=1)


def _run_dask(client: Any, paths: list[Path], options: dict[str, Any], sources: list[list[str]]) -> Iterator[Outcome]:
    """Submit to the cluster with a bounded window (4 tasks per worker thread) and yield in order."""
    threads = sum((client.nthreads() or {1: 1}).values()) or 1
    window = 4 * threads
    pending: deque[Any] = deque()
    for p, s in zip(paths, sources, strict=True):
        pending.append(client.submit(process_path, str(p), options, s, pure=False))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def extract_many(paths: Iterable[str | Path], *, jobs: int = 1, client: Any = None,
                 options: dict[str, Any] | None = None) -> Iterator[Any]:
    """Reports of many files, in input order (``nianbao.extract_many``); a bad file raises its error.

    ``jobs`` > 1 extracts in that many local processes; ``client`` (a ``dask.distributed.Client``)
    runs the extraction on a Dask cluster, whose workers must see the same paths. Every path gives
    a report, duplicates included (the batch command reads identical files once).
    """
    from nianbao.errors import ReadError
    from nianbao.schema import Report

    items = [Path(p) for p in paths]
    for outcome in outcomes(items, jobs=jobs, options=options or {}, client=client):
        if outcome.error is not None:
            raise ReadError(outcome.source, outcome.error)
        yield Report.model_validate_json(outcome.line or "{}")


def connect(address: str) -> Any:
    """A Dask client for ``--scheduler``; raises RuntimeError with a one-line reason.

    ``NIANBAO_SCHEDULER_TIMEOUT`` (default 15s) bounds the wait for the scheduler."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise RuntimeError("--scheduler needs Dask: pip install 'nianbao[dask]'") from None
    try:
        return Client(address, timeout=os.environ.get("NIANBAO_SCHEDULER_TIMEOUT", "15s"))
    except (OSError, TimeoutError, ValueError) as exc:
        raise RuntimeError(f"cannot reach the Dask scheduler ({str(exc).splitlines()[0][:160]})") from None






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
    scheduler: str | None = None,
) -> int:
    """The ``extract`` command. Returns the exit status (0 ok, 1 some inputs failed, 2 usage)."""
    from nianbao.io import export

    try:
        fmt = export.resolve_format(output, fmt)
    except export.OutputError as exc:
        fail(str(output or "-"), str(exc))
        return 2
    if output is None and fmt in export.TABLE_FORMATS:
        fail("-", f"--format {fmt} needs -o OUTPUT")
        return 2
    paths = expand_inputs(items)
    if not paths:
        fail(", ".join(map(str, items)) or "-", "no report files found")
        return 1
    client = None
    if scheduler:
        try:
            client = connect(scheduler)
        except RuntimeError as exc:
            fail(scheduler, str(exc))
            return 2
    try:
        if output is None:
            return _to_stdout(paths, jobs, options, single=len(paths) == 1 and fmt == "json", fail=fail, client=client)
        return _to_output(paths, output, fmt, jobs=jobs, force=force, options=options, progress=progress, fail=fail,
                          client=client)
    finally:
        if client is not None:
            client.close()


def _to_output(paths: list[Path], output: Path, fmt: str, *, jobs: int, force: bool, options: dict[str, Any],
               progress: bool | None, fail: Callable[[str, str], None], client: Any) -> int:
    from nianbao.io import export

    try:
        target = export.Target(output, fmt, force=force, jobs=jobs)
        done = set() if force else target.done()
    except export.OutputError as exc:
        fail(str(output), str(exc))
        return 2
    summary = Summary(files=len(paths))
    todo: list[Path] = []
    sources: list[list[str]] = []
    for sha, group in group_by_content(paths):
        if sha is not None and sha in done:
            summary.skipped += len(group)
            continue
        todo.append(group[0])
        sources.append([str(p) for p in group])
        summary.duplicates += len(group) - 1
    show = progress if progress is not None else sys.stderr.isatty()
    bar = _progress(show, len(todo))
    warmer: threading.Thread | None = None
    failures: list[dict[str, Any]] = []
    try:
        with target.open_staging() as sink:
            for outcome in outcomes(todo, jobs=jobs, options=options, client=client, sources=sources):
                if warmer is None and jobs > 1 and fmt in export.TABLE_FORMATS and client is None:
                    # the workers exist by now (no fork while this thread imports): load the export
                    # libraries while they extract, so the conversion at the end starts warm
                    warmer = threading.Thread(target=export.warm_up, args=(fmt,), daemon=True)
                    warmer.start()
                if outcome.error is not None:
                    summary.failures.append((outcome.source, outcome.error))
                    fail(outcome.source, outcome.error)
                    failures.append({"source": outcome.source, "sha256": outcome.sha256, "error": outcome.error})
                else:
                    sink.write(outcome.line + "\n")  # type: ignore[operator]
                    sink.flush()
                    summary.reports += 1
                    summary.failing_checks += outcome.failed_checks
                if bar is not None:
                    bar[0].update(bar[1], advance=1, description=Path(outcome.source).name[:40])
        if warmer is not None:
            warmer.join()  # before finish() forks conversion processes
        if bar is not None and fmt in export.TABLE_FORMATS:  # converting a big batch takes a while: say so
            bar[0].update(bar[1], description=f"writing {fmt} ({summary.reports + len(done)} reports)…")
        try:
            target.finish(summary.reports)
        except export.OutputError as exc:
            fail(str(output), str(exc))
            return 2
    finally:
        target.write_errors(failures)
        if bar is not None:
            bar[0].stop()
    _summary(summary, target.path)
    return 1 if summary.failures else 0


def _to_stdout(paths: list[Path], jobs: int, options: dict[str, Any], *, single: bool,
               fail: Callable[[str, str], None], client: Any = None) -> int:
    failed = 0
    groups = group_by_content(paths)
    todo = [g[0] for _, g in groups]
    sources = [[str(p) for p in g] for _, g in groups]
    for outcome in outcomes(todo, jobs=jobs, options=options, client=client, sources=sources):
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


def _summary(s: Summary, out: Path) -> None:
    dup = f" ({s.duplicates} duplicate files read once)" if s.duplicates else ""
    lines = [f"nianbao: {s.files} files, {s.reports} reports written to {out}{dup}, {s.skipped} already done, "
             f"{len(s.failures)} failed, {s.failing_checks} failing checks"]
    if os.environ.get("NIANBAO_QUIET"):
        return
    sys.stderr.write("\n".join(lines) + "\n")
