"""PDF reports with a text layer: text in reading order plus table cell grids (pdfplumber)."""

from __future__ import annotations

import io
import logging
import re

from ..errors import ReadError
from ..schema import Document, Notice
from .builder import TextBuilder, clean_cell

_PAGE_NUMBER = re.compile(r"^\s*[-—–]?\s*\d{1,3}\s*[-—–]?\s*$")


def _covering_text(table, r: int, c: int) -> str | None:  # type: ignore[no-untyped-def]
    """Text of the merged cell that covers grid position (r, c), if any.

    The position's centre comes from grid lines (row tops, column lefts): a row's or
    column's own bbox also covers its merged cells, so its centre can fall in another row.
    """
    try:
        tops = [row.bbox[1] for row in table.rows] + [table.bbox[3]]
        lefts = [col.bbox[0] for col in table.columns] + [table.bbox[2]]
        x = (lefts[c] + lefts[c + 1]) / 2
        y = (tops[r] + tops[r + 1]) / 2
    except (IndexError, AttributeError, TypeError):
        return None
    for rr, row in enumerate(table.rows):
        for cc, bbox in enumerate(row.cells):
            if bbox and bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3] and (rr, cc) != (r, c):
                return f"{rr},{cc}"
    return None


def _grid(table, texts: list[list[str | None]]) -> list[list[tuple[str, bool]]]:  # type: ignore[no-untyped-def]
    grid: list[list[tuple[str, bool]]] = []
    for r, row in enumerate(texts):
        out_row: list[tuple[str, bool]] = []
        for c, txt in enumerate(row):
            if txt is not None:
                out_row.append((clean_cell(txt), False))
                continue
            ref = _covering_text(table, r, c)
            if ref is None:
                out_row.append(("", False))
            else:
                rr, cc = map(int, ref.split(","))
                src = texts[rr][cc] if rr < len(texts) and cc < len(texts[rr]) else None
                out_row.append((clean_cell(src), True))
        grid.append(out_row)
    return grid


def _band_text(page, top: float, bottom: float, boxes: list[tuple[float, float, float, float]]) -> str:  # type: ignore[no-untyped-def]
    if bottom - top < 1:
        return ""
    band = page.crop((0, max(0, top), page.width, min(page.height, bottom)), strict=False)

    def outside(obj) -> bool:  # type: ignore[no-untyped-def]
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    return band.filter(outside).extract_text(x_tolerance=1.5, y_tolerance=3) or ""


def read_pdf(data: bytes, source: str) -> Document:
    import pdfplumber

    # pdfminer logs every malformed object; a damaged file is one error line, not a log flood
    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)

    notices: list[Notice] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = list(pdf.pages)
    except Exception as exc:  # pdfminer raises many types for damaged/encrypted files
        name = type(exc).__name__
        reason = "encrypted PDF (password required)" if "Password" in name or "Encrypt" in name else f"corrupt PDF ({name})"
        raise ReadError(source, reason) from None
    out = TextBuilder()
    try:
        for pno, page in enumerate(pages, start=1):
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]
            cursor = 0.0
            for table in sorted(tables, key=lambda t: t.bbox[1]):
                _write_text(out, _band_text(page, cursor, table.bbox[1], boxes))
                texts = table.extract(x_tolerance=1.5, y_tolerance=3)
                out.add_table(_grid(table, texts), origin="pdf", page=pno)
                cursor = table.bbox[3]
            _write_text(out, _band_text(page, cursor, page.height, boxes))
            page.flush_cache()
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(source, f"corrupt PDF ({type(exc).__name__} on reading pages)") from None
    finally:
        pdf.close()
    text = out.text()
    if not re.search(r"[\u3400-\u9fff]", text):
        raise ReadError(source, "PDF has no text layer (scanned image?); OCR is not supported")
    return Document(source=source, media_type="pdf", text=text, grids=out.grids, pages=len(pages), warnings=notices)


def _write_text(out: TextBuilder, text: str) -> None:
    for line in text.splitlines():
        if not line.strip() or _PAGE_NUMBER.match(line):
            continue
        out.newline()
        out.write(line.strip())
    out.newline()
