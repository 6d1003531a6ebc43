"""The processing order: read → normalise → segment → tables → checks → facts → themes → merge.

Each stage is a function ``run(ctx: Context) -> None`` in its own module that fills
part of ``ctx.report``. Stages are imported lazily so the CLI starts fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from nianbao.io.readers import read, read_bytes
from nianbao.schema import Document, Report
from nianbao.stages.context import Context
from nianbao.stages.normalise import normalise

# (name, module path): a stage module exposes run(ctx). Missing optional stages are skipped.
STAGES: list[tuple[str, str]] = [
    ("segment", "nianbao.stages.segment"),
    ("tables", "nianbao.stages.tables"),
    ("checks", "nianbao.stages.checks"),
    ("facts", "nianbao.stages.facts"),
    ("themes", "nianbao.stages.themes"),
    ("merge", "nianbao.stages.merge"),
]


def _stage(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def process(doc: Document, *, skip: Iterable[str] = (), options: dict[str, Any] | None = None) -> Report:
    """Run every stage on a read document and return its Report."""
    norm = normalise(doc.text)
    report = Report(source=doc.source, media_type=doc.media_type, sha256=doc.sha256, script=norm.script,
                    warnings=list(doc.warnings))
    ctx = Context(doc=doc, norm=norm, report=report, options=dict(options or {}))
    skipped = set(skip)
    for name, module in STAGES:
        if name in skipped:
            continue
        mod = _stage(module)
        if mod is not None:
            mod.run(ctx)
    return report


def extract(path_or_text: str | Path, **kwargs: Any) -> Report:
    """Extract one report from a file path, or from the report's text itself."""
    if isinstance(path_or_text, Path) or (isinstance(path_or_text, str) and "\n" not in path_or_text
                                          and len(path_or_text) < 1024 and Path(path_or_text).exists()):
        doc = read(path_or_text)
    else:
        doc = read_bytes(str(path_or_text).encode("utf-8"), "<text>", ".txt")
    return process(doc, **kwargs)


def extract_many(paths: Iterable[str | Path], **kwargs: Any) -> Iterator[Report]:
    for p in paths:
        yield extract(Path(p), **kwargs)
