"""DOCX reports: paragraphs and tables in body order, merged cells expanded (python-docx)."""

from __future__ import annotations

import io
import zipfile

from nianbao.errors import ReadError
from nianbao.io.readers.builder import TextBuilder, clean_cell
from nianbao.schema import Document


def read_docx(data: bytes, source: str) -> Document:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
    except Exception:  # BadZipFile, NotImplementedError (unknown zip version), OSError, ...
        raise ReadError(source, "broken DOCX (not a readable ZIP package; truncated?)") from None
    if not any(name.startswith("word/") for name in names):
        raise ReadError(source, "a ZIP archive that is not a DOCX document (no word/ part)")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # zipfile/lxml/KeyError for broken packages
        raise ReadError(source, f"broken DOCX ({type(exc).__name__})") from None
    out = TextBuilder()
    try:
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                text = block.text.strip()
                if text:
                    out.newline()
                    out.write(text)
                    out.newline()
            elif isinstance(block, Table):
                _table(block, out)
    except Exception as exc:
        raise ReadError(source, f"broken DOCX ({type(exc).__name__} in the document body)") from None
    text = out.text()
    if not text.strip():
        raise ReadError(source, "DOCX has no text")
    return Document(source=source, media_type="docx", text=text, grids=out.grids)


def _table(table, out: TextBuilder) -> None:  # type: ignore[no-untyped-def]
    rows: list[list[tuple[str, bool]]] = []
    above: list = []
    for row in table.rows:
        cells = row.cells  # python-docx repeats a merged cell's object over its span
        out_row: list[tuple[str, bool]] = []
        for c, cell in enumerate(cells):
            spanned = (c > 0 and cells[c - 1]._tc is cell._tc) or (c < len(above) and above[c]._tc is cell._tc)
            out_row.append((clean_cell(cell.text), spanned))
        rows.append(out_row)
        above = cells
    out.add_table(rows, origin="docx")
