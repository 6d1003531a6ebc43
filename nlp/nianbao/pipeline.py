"""The processing order: read → normalise → segment → tables → checks → facts → themes → merge.

Each stage is a function ``run(ctx: Context) -> None`` in its own module that fills
part of ``ctx.report``. ``nianbao`` imports this module only when a report is extracted, so the CLI starts fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from nianbao.io.readers import read, read_bytes
from nianbao.schema import Document, Report
from nianbao.stages import checks, facts, merge, segment, tables, themes
from nianbao.stages.context import Context
from nianbao.stages.normalise import normalise

# The stages in order; each exposes run(ctx) and fills its part of the Report.
STAGES: list[tuple[str, Callable[[Context], None]]] = [
    ("segment", segment.run),
    ("tables", tables.run),
    ("checks", checks.run),
    ("facts", facts.run),
    ("themes", themes.run),
    ("merge", merge.run),
]


def process(doc: Document, *, skip: Iterable[str] = (), options: dict[str, Any] | None = None) -> Report:
    """Run every stage on a read document and return its Report."""
    norm = normalise(doc.text)
    report = Report(source=doc.source, media_type=doc.media_type, sha256=doc.sha256, script=norm.script,
                    warnings=list(doc.warnings))
    ctx = Context(doc=doc, norm=norm, report=report, options=dict(options or {}))
    skipped = set(skip)
    for name, run in STAGES:
        if name not in skipped:
            run(ctx)
    for para in report.paragraphs:  # exports carry the text that was classified
        para.text = doc.text[para.start:para.end]
    return report


def extract(path: str | Path | None = None, *, text: str | None = None, **kwargs: Any) -> Report:
    """Extract one report from a file (``extract("a.pdf")``) or from its text (``extract(text=...)``).

    A path that does not exist raises the one-line ``ReadError`` ("no such file") instead of being
    taken for report text. For compatibility a positional string that spans several lines is
    still read as text.
    """
    if text is not None:
        if path is not None:
            raise TypeError("extract() takes a path or text=, not both")
        doc = read_bytes(text.encode("utf-8"), "<text>", ".txt")
    elif path is None:
        raise TypeError("extract() needs a path or text=")
    elif isinstance(path, str) and "\n" in path:
        doc = read_bytes(path.encode("utf-8"), "<text>", ".txt")
    else:
        doc = read(path)
    return process(doc, **kwargs)


def extract_many(paths: Iterable[str | Path], **kwargs: Any) -> Iterator[Report]:
    """Reports of many files, one after the other in this process (``nianbao.extract_many`` adds
    ``jobs=`` and a Dask ``client=``)."""
    for p in paths:
        yield extract(Path(p), **kwargs)
