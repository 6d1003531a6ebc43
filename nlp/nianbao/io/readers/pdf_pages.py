"""Page geometry (chars and ruling edges) for the PDF reader, from PDFium or pdfplumber.

pdfplumber interprets every page's content stream in pure Python (pdfminer), which
costs 100-300 ms per page of a typical report. PDFium (pypdfium2, already installed
with pdfplumber) parses the same page in a few ms. This module turns a PDFium page into
the plain dicts pdfplumber's own algorithms consume (``chars`` for text lines, ``edges``
for its table finder), following pdfminer's geometry conventions so that tables and
text come out as they did with pdfplumber alone:

- a char box runs from the glyph origin to origin + advance, with its bottom at
  origin + font descent and a height of exactly the (scaled) font size;
- every path segment becomes an edge, as pdfminer splits paths into lines, rects and
  curves and pdfplumber turns each of those into edges; a two-point diagonal line is a
  "v" edge, as in pdfplumber.

Documents PDFium cannot open, and rotated pages, are left to pdfplumber (see ``pdf.py``).
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

Obj = dict[str, Any]
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_FORM_DEPTH = 8  # nested form XObjects deeper than this are pathological


@dataclass
class PageModel:
    """What the reader needs of a page; duck-types pdfplumber's Page for TableFinder."""

    number: int
    width: float
    height: float
    chars: list[Obj] = field(default_factory=list)
    edges: list[Obj] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)


class Unsupported(Exception):
    """PDFium cannot stand in for pdfplumber on this document; use pdfplumber."""


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def pdfium_pages(data: bytes) -> Iterator[PageModel]:
    """Pages of ``data`` via PDFium, one at a time (memory stays flat on long reports).

    Raises Unsupported, possibly after some pages, whenever PDFium cannot stand in for
    pdfplumber: the caller then reads the whole document with pdfplumber.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        doc = pdfium.PdfDocument(data)
    except Exception as exc:  # PdfiumError for damaged/encrypted files: pdfplumber gives the reason
        raise Unsupported(str(exc)) from None
    try:
        pages = len(doc)
        for i in range(pages):
            try:
                page = doc[i]
            except Exception as exc:  # a page PDFium cannot load: pdfplumber may still read it
                raise Unsupported(f"page {i + 1}: {exc}") from None
            try:
                if page.get_rotation() % 360:
                    raise Unsupported("rotated page")
                model = _page_model(raw, page, i + 1)
            except Unsupported:
                raise
            except Exception as exc:
                raise Unsupported(f"page {i + 1}: {type(exc).__name__}") from None
            finally:
                page.close()
            yield model
    finally:
        doc.close()


def _page_model(raw: Any, page: Any, number: int) -> PageModel:
    left, bottom, right, top = page.get_mediabox()
    model = PageModel(number=number, width=right - left, height=top - bottom)
    to_page: Matrix = (1.0, 0.0, 0.0, -1.0, -left, top)  # PDF space -> pdfplumber's (x, top)
    handle = page.raw
    objects = [raw.FPDFPage_GetObject(handle, k) for k in range(raw.FPDFPage_CountObjects(handle))]
    _require_glyphs(raw, objects, 0)
    model.chars = _chars(raw, page, to_page)
    model.edges = _edges(raw, objects, to_page, 0)
    return model


def _require_glyphs(raw: Any, objects: list[Any], depth: int) -> None:
    """Raise Unsupported when a text object's font is neither embedded nor found on this system.

    PDFium then knows no glyph boxes (the object's bounds are empty) and its text page drops
    characters it takes for overprinted duplicates: a one-character wrapped line of a table cell
    (商业企 instead of 商业企业) whenever, say, STSong-Light is not embedded and no CJK font is
    installed. pdfplumber reads widths from the PDF itself and is not affected.
    """
    embedded: dict[int, bool] = {}
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for obj in objects:
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
            _require_glyphs(raw, [raw.FPDFFormObj_GetObject(obj, k) for k in range(raw.FPDFFormObj_CountObjects(obj))],
                            depth + 1)
            continue
        if kind != raw.FPDF_PAGEOBJ_TEXT:
            continue
        font = raw.FPDFTextObj_GetFont(obj)
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        if key not in embedded:
            embedded[key] = bool(raw.FPDFFont_GetIsEmbedded(font))
        if embedded[key]:
            continue
        if (raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
                and (right.value <= left.value or top.value <= bottom.value)):
            raise Unsupported("a font is neither embedded nor installed: PDFium cannot place its glyphs")


def _chars(raw: Any, page: Any, to_page: Matrix) -> list[Obj]:
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        n = raw.FPDFText_CountChars(tp)
        if n <= 0:
            return []
        buf = ctypes.create_string_buffer((n + 1) * 2)
        got = raw.FPDFText_GetText(tp, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
        text = buf.raw[: max(0, got - 1) * 2].decode("utf-16-le", errors="replace")
        if len(text) != n:  # surrogate pairs: fall back to one code unit per char
            text = "".join(chr(raw.FPDFText_GetUnicode(tp, k)) for k in range(n))
        loose = raw.FS_RECTF()
        mat = raw.FS_MATRIX()
        ox, oy = ctypes.c_double(), ctypes.c_double()
        l, r, b, t = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        sx, _, _, sy, ex, ey = to_page
        out: list[Obj] = []
        for k in range(n):
            ch = text[k]
            if ch in "\r\n\ufffe" or raw.FPDFText_IsGenerated(tp, k) == 1:
                continue
            raw.FPDFText_GetMatrix(tp, k, mat)
            raw.FPDFText_GetCharOrigin(tp, k, ox, oy)
            raw.FPDFText_GetLooseCharBox(tp, k, loose)
            fs = raw.FPDFText_GetFontSize(tp, k)
            scale = abs(mat.a * mat.d - mat.b * mat.c) ** 0.5
            size = fs * scale if scale > 0 else fs
            upright = mat.a * mat.d > 0 and mat.b * mat.c <= 0
            lw = loose.right - loose.left
            lh = loose.top - loose.bottom
            # horizontal writing: the loose box starts at the origin and is about one em
            # wide and tall; vertical writing (CID fonts) starts half an em left of it
            if (upright and abs(loose.left - ox.value) <= 0.25 * size and 0 <= lw <= 1.25 * size + 0.5
                    and 0 < lh <= 2.5 * size + 0.5):
                x0 = ox.value
                x1 = max(x0, loose.right)
                y_bottom = loose.bottom  # origin + descent, as pdfminer
                y_top = y_bottom + size
            else:
                # vertical writing, rotated or odd matrices: PDFium's loose box ignores the
                # text matrix there; centre a size x size box on the glyph's ink instead
                raw.FPDFText_GetCharBox(tp, k, l, r, b, t)
                cx, cy = (l.value + r.value) / 2, (b.value + t.value) / 2
                half = size / 2
                x0, x1, y_bottom, y_top = cx - half, cx + half, cy - half, cy + half
            x0, x1 = x0 * sx + ex, x1 * sx + ex
            top_, bottom_ = y_top * sy + ey, y_bottom * sy + ey
            out.append({"text": ch, "x0": x0, "x1": x1, "top": top_, "bottom": bottom_, "doctop": top_,
                        "width": x1 - x0, "height": bottom_ - top_, "size": size, "upright": upright,
                        "object_type": "char"})
        return out
    finally:
        textpage.close()


def _object_matrix(raw: Any, obj: Any) -> Matrix:
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _edges(raw: Any, objects: list[Any], outer: Matrix, depth: int) -> list[Obj]:
    """Edges of all path objects, descending into form XObjects."""
    out: list[Obj] = []
    for obj in objects:
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_PATH:
            out.extend(_path_edges(raw, obj, _mul(_object_matrix(raw, obj), outer)))
        elif kind == raw.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
            inner = _mul(_object_matrix(raw, obj), outer)
            kids = [raw.FPDFFormObj_GetObject(obj, k) for k in range(raw.FPDFFormObj_CountObjects(obj))]
            out.extend(_edges(raw, kids, inner, depth + 1))
    return out


def _path_edges(raw: Any, obj: Any, m: Matrix) -> list[Obj]:
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    closed: list[bool] = []
    for k in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        if not raw.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        px, py = x.value, y.value
        pt = (round(a * px + c * py + e, 4), round(b * px + d * py + f, 4))
        if raw.FPDFPathSegment_GetType(seg) == raw.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([pt])
            closed.append(False)
        else:
            subpaths[-1].append(pt)
        if raw.FPDFPathSegment_GetClose(seg):
            closed[-1] = True
    out: list[Obj] = []
    for pts, is_closed in zip(subpaths, closed, strict=True):
        if is_closed and len(pts) > 2 and pts[-1] != pts[0]:
            pts = [*pts, pts[0]]
        if len(pts) == 2:  # pdfminer's LTLine: pdfplumber calls any non-horizontal line "v"
            (x0, y0), (x1, y1) = pts
            out.append(_edge(x0, y0, x1, y1, "h" if y0 == y1 else "v", "line"))
            continue
        for (x0, y0), (x1, y1) in pairwise(pts):
            if x0 == x1 and y0 != y1:
                out.append(_edge(x0, y0, x1, y1, "v", "rect_edge"))
            elif y0 == y1 and x0 != x1:
                out.append(_edge(x0, y0, x1, y1, "h", "rect_edge"))
    return out


def _edge(x0: float, y0: float, x1: float, y1: float, orientation: str, kind: str) -> Obj:
    left, right = min(x0, x1), max(x0, x1)
    top, bottom = min(y0, y1), max(y0, y1)
    return {"object_type": kind, "x0": left, "x1": right, "top": top, "bottom": bottom, "doctop": top,
            "width": right - left, "height": bottom - top, "orientation": orientation}
