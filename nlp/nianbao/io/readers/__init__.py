"""Readers: one module per input type, all returning a ``Document``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from nianbao.errors import ReadError
from nianbao.schema import Document

TEXT_SUFFIXES = {".txt", ".text", ".csv", ".tsv", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
SUPPORTED = sorted((TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}) - {""})


def sniff(data: bytes, suffix: str) -> str:
    """Media type from content first (a wrong extension is common), then extension."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536] or suffix == ".docx":
            return "docx"
        raise ValueError("a ZIP archive that is not a DOCX document")
    low = head[:512].lower()
    if low.startswith((b"<!doctype html", b"<html")) or (suffix in HTML_SUFFIXES and b"<" in low):
        return "html"
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".docx":
        return "docx"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES:
        return "text"
    if suffix in {".doc", ".wps", ".xls", ".xlsx", ".ppt", ".odt", ".rtf"}:
        raise ValueError(f"unsupported file type {suffix} (convert to DOCX or PDF)")
    raise ValueError(f"unsupported file type {suffix or '(none)'} (supported: {', '.join(SUPPORTED)})")


def read_bytes(data: bytes, source: str, suffix: str = ".txt") -> Document:
    try:
        kind = sniff(data, suffix.lower())
    except ValueError as exc:
        raise ReadError(source, str(exc)) from None
    if len(data) > MAX_BYTES[kind]:
        raise ReadError(source, f"file too large ({len(data) / 2**20:.1f} MB; {kind} reports are limited to "
                                f"{MAX_BYTES[kind] >> 20} MB)")
    if not data.strip():
        raise ReadError(source, "empty file")
    if kind == "pdf":
        from nianbao.io.readers.pdf import read_pdf

        doc = read_pdf(data, source)
    elif kind == "docx":
        from nianbao.io.readers.docx import read_docx

        doc = read_docx(data, source)
    elif kind == "html":
        from nianbao.io.readers.html import read_html

        doc = read_html(data, source)
    else:
        from nianbao.io.readers.text import read_text

        doc = read_text(data, source, media_type="markdown" if kind == "markdown" else "text")
    doc.sha256 = hashlib.sha256(data).hexdigest()
    return doc


# Reports are a few MB at most; far larger inputs are refused instead of exhausting memory.
MAX_BYTES = {"pdf": 200 << 20, "docx": 100 << 20, "html": 30 << 20, "text": 30 << 20, "markdown": 30 << 20}


def read(path: str | Path) -> Document:
    """Read a report file of any supported type. Raises ReadError with a one-line reason."""
    p = Path(path)
    source = str(path)
    if not p.exists():
        raise ReadError(source, "no such file")
    if p.is_dir():
        raise ReadError(source, "is a directory with no report files, not a report")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ReadError(source, f"cannot read ({exc.strerror or type(exc).__name__})") from None
    if not data:
        raise ReadError(source, "empty file")
    return read_bytes(data, source, p.suffix)
