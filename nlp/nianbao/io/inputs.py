"""Input files of a batch: folders walked for reports, files grouped by content.

Shared by the batch runner and the review site, so both see the same reports in the same order
and read a file with the same content only once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from nianbao.io.readers import HTML_SUFFIXES, MARKDOWN_SUFFIXES

REPORT_SUFFIXES = {".txt", ".pdf", ".docx", *HTML_SUFFIXES, *MARKDOWN_SUFFIXES}


def expand_inputs(items: Iterable[Path]) -> list[Path]:
    """Files as given; folders walked recursively (sorted, hidden entries skipped) for report files.

    Missing paths are kept to be reported."""
    out: list[Path] = []
    for item in items:
        if item.is_dir():
            found = sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(item).parts))
            out.extend(found or [item])  # an empty folder is reported as a bad input
        else:
            out.append(item)
    return out


def file_sha256(path: Path) -> str | None:
    """SHA-256 of the file's bytes (the report's ``sha256``), None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def group_by_content(paths: list[Path]) -> list[tuple[str | None, list[Path]]]:
    """Paths grouped by content hash, in first-seen order; unreadable paths stay alone (hash None)."""
    groups: dict[str, list[Path]] = {}
    out: list[tuple[str | None, list[Path]]] = []
    for p in paths:
        sha = file_sha256(p) if p.is_file() else None
        if sha is None:
            out.append((None, [p]))
        elif sha in groups:
            groups[sha].append(p)
        else:
            groups[sha] = [p]
            out.append((sha, groups[sha]))
    return out
