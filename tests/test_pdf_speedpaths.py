"""The fast PDF path (PDFium page geometry) must read exactly what the pdfplumber path reads."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from nianbao.io.readers import pdf as pdf_reader
from nianbao.io.readers import read_bytes
from nianbao.io.readers.pdf_pages import PageModel, Unsupported, pdfium_pages
from nianbao.schema import Document

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "2023_zhen_report.pdf"


def _no_pdfium(data: bytes) -> Iterator[PageModel]:
    raise Unsupported("disabled in this test")
    yield  # pragma: no cover  (makes this a generator like pdfium_pages)


def _both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Document, Document]:
    fast = read_bytes(data, "x.pdf", ".pdf")
    with monkeypatch.context() as m:
        m.setattr(pdf_reader, "pdfium_pages", _no_pdfium)
        slow = read_bytes(data, "x.pdf", ".pdf")
    return fast, slow


def _assert_same(fast: Document, slow: Document) -> None:
    assert fast.pages == slow.pages
    assert fast.text == slow.text
    assert [g.model_dump() for g in fast.grids] == [g.model_dump() for g in slow.grids]


def test_pdfium_and_pdfplumber_paths_agree_on_example(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _both(EXAMPLE.read_bytes(), monkeypatch)
    assert fast.grids and any(c.spanned for g in fast.grids for row in g.rows for c in row)
    _assert_same(fast, slow)


@pytest.mark.parametrize("name", ["r002.pdf", "r003.pdf"])
def test_pdfium_and_pdfplumber_paths_agree_on_corpus(shared_dir: Path, name: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = shared_dir / "corpus" / "files" / name
    if not path.exists():
        pytest.skip(f"{name} not in the shared corpus")
    _assert_same(*_both(path.read_bytes(), monkeypatch))


def test_pdfium_chars_follow_pdfminer_geometry() -> None:
    """Same chars in the same order, boxes within a fraction of a point of pdfminer's."""
    import pdfplumber

    models = list(pdfium_pages(EXAMPLE.read_bytes()))
    with pdfplumber.open(EXAMPLE) as pdf:
        assert len(models) == len(pdf.pages)
        for model, page in zip(models, pdf.pages, strict=True):
            assert (model.width, model.height) == pytest.approx((page.width, page.height))
            theirs = page.chars
            assert "".join(c["text"] for c in model.chars) == "".join(c["text"] for c in theirs)
            for ours, ref in zip(model.chars, theirs, strict=True):
                assert ours["x0"] == pytest.approx(ref["x0"], abs=0.5)
                assert ours["bottom"] == pytest.approx(ref["bottom"], abs=0.5)
                assert ours["top"] == pytest.approx(ref["top"], abs=0.5)
                assert ours["upright"] == ref["upright"]
            # every ruling line pdfplumber sees has an edge at the same place here
            for ref in page.edges:
                if ref["orientation"] not in ("h", "v") or max(ref["width"], ref["height"]) < 3:
                    continue
                assert any(e["orientation"] == ref["orientation"]
                           and all(abs(e[k] - ref[k]) < 0.01 for k in ("x0", "x1", "top", "bottom"))
                           for e in model.edges), ref


def test_rotated_page_falls_back_to_pdfplumber(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(EXAMPLE.read_bytes())
    doc[1].set_rotation(90)
    buf = io.BytesIO()
    doc.save(buf)
    doc.close()
    data = buf.getvalue()
    with pytest.raises(Unsupported):
        list(pdfium_pages(data))
    fast, slow = _both(data, monkeypatch)
    _assert_same(fast, slow)
    assert fast.pages == 3 and fast.grids


_NO_SYSTEM_FONTS = """
import ctypes, sys
import pypdfium2.raw as raw
# a system font interface that finds nothing: as on a machine without any CJK font installed
info = raw.FPDF_SYSFONTINFO()
info.version = 1
for name, proto in raw.FPDF_SYSFONTINFO._fields_[1:]:
    setattr(info, name, proto(lambda *args, _void=proto._restype_ in (None, ctypes.c_void_p): None if _void else 0))
raw.FPDF_SetSystemFontInfo(ctypes.byref(info))
from nianbao.io.readers import pdf as pdf_reader
from nianbao.io.readers import read_bytes
from nianbao.io.readers.pdf_pages import Unsupported
data = open(sys.argv[1], "rb").read()
fast = read_bytes(data, "x.pdf", ".pdf").text
def no_pdfium(data):
    raise Unsupported("disabled")
    yield
pdf_reader.pdfium_pages = no_pdfium
print("same" if read_bytes(data, "x.pdf", ".pdf").text == fast else "differ")
"""


def test_pdfium_path_without_system_fonts_reads_what_pdfplumber_reads() -> None:
    """The example's STSong-Light is not embedded: without an installed CJK font PDFium knows no glyph
    boxes and drops one-character wrapped cell lines (商业企 for 商业企业); the reader must notice and
    fall back. Runs in a fresh process: PDFium's font interface is global."""
    import os
    import subprocess
    import sys

    import nianbao

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(nianbao.__file__).parents[1]),
                                                         os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", _NO_SYSTEM_FONTS, str(EXAMPLE)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "same"
