"""Readers: decoding, web-page chrome, merged-cell grids, reading order and clear errors.

Most checks run on the bundled examples (examples/, built by examples/make_examples.py
from one declaration per report), so the expected grid of every table is known cell by
cell; small inline fixtures cover the rest. The last group checks that the examples
themselves are consistent (expected JSON complete, tables balance except where declared,
generator reproduces the committed files).
"""

from __future__ import annotations

import importlib.util
import io
import json
import random
import sys
import zipfile
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType

import pytest

from nianbao.errors import ReadError
from nianbao.io.readers import read
from nianbao.schema import Document, Grid

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXAMPLE_FILES = sorted(p.name[: -len(".json")] for p in (EXAMPLES / "expected").glob("*.json"))
GRID_FILES = ["2022_portal_page.html", "2023_zhen_report.pdf", "2024_bureau_report.docx"]

# Self-written sample for the encoding tests (simplified text, full-width punctuation).
SAMPLE = (
    "河湾镇人民政府2021年政府信息公开工作年度报告\n"
    "一、总体情况\n"
    "全年主动公开政府信息120余条，举办培训两期，参训45人次。\n"
    "（一）依申请公开：收到申请2件，均已按期答复。\n"
)


@lru_cache(maxsize=1)
def gen() -> ModuleType:
    """The example generator, imported from examples/make_examples.py."""
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@cache
def doc_of(name: str) -> Document:
    return read(EXAMPLES / name)


def expected(name: str) -> dict:
    return json.loads((EXAMPLES / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def squash(text: str) -> str:
    return "".join(text.split())


def example_decl(name: str):  # type: ignore[no-untyped-def]
    m = gen()
    for fn in (m.ex_shuiwuju, m.ex_xian_gbk, m.ex_qu_legacy, m.ex_traditional, m.ex_portal, m.ex_zhen_pdf,
               m.ex_bureau_docx, m.ex_markdown):
        ex = fn()
        if ex.file == name:
            return ex
    raise KeyError(name)


def template_grids(name: str) -> list[list[list[tuple[str, bool]]]]:
    """(text, spanned) per grid position of Tables 2, 3, 4 as the generator laid them out."""
    ex = example_decl(name)
    tables = ex.grids()
    return [
        [[(ex.cell_text(cell), spanned) for cell, spanned, _ in row] for row in gen().expand(tables[key])]
        for key in ("[T2]", "[T3]", "[T4]")
    ]


# ---------------------------------------------------------------------------
# Text decoding
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_decode_to_identical_text(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    doc = read(path)
    assert doc.text == SAMPLE
    assert doc.media_type == "text"
    assert doc.encoding


def test_crlf_and_cr_line_ends_become_lf(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(SAMPLE.replace("\n", "\r\n").encode("gb18030"))
    assert read(path).text == SAMPLE
    path.write_bytes(SAMPLE.replace("\n", "\r").encode("utf-8"))
    assert read(path).text == SAMPLE


def test_gbk_example_decodes_like_its_source(examples_dir: Path) -> None:
    raw = (examples_dir / "2020_xian_gbk.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    doc = doc_of("2020_xian_gbk.txt")
    assert doc.encoding == "gb18030"
    assert doc.text == raw.decode("gbk")
    assert doc.text.startswith(expected("2020_xian_gbk.txt")["title"])


def test_traditional_example_is_kept_verbatim(examples_dir: Path) -> None:
    """Readers never convert script or strip glosses: that is normalise()'s job, with an offset map."""
    doc = doc_of("2020_traditional.txt")
    assert doc.text == (examples_dir / "2020_traditional.txt").read_text(encoding="utf-8")
    for word in ("檔案", "網路", "入口網站", "民眾", "務(wù)", "開(kāi)"):
        assert word in doc.text


def test_markdown_is_read_as_markdown_text(examples_dir: Path) -> None:
    doc = doc_of("2021_report.md")
    assert doc.media_type == "markdown"
    assert doc.text == (examples_dir / "2021_report.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

PORTAL_CHROME = [
    "首页", "政务动态", "走进临澜", "当前位置", "政府信息公开指南", "法定主动公开内容", "咨询电话",
    "分享到", "QQ空间", "打印本页", "关闭窗口", "相关链接", "主办单位", "承办单位", "网站标识码", "ICP",
    "公安机关备案号", "分辨率", "无障碍浏览", "长者模式", "搜索",
    # <style> and <script> content
    "font-family", "Microsoft YaHei", "changeFontSize", "_siteTitle", "document.write", "浏览器版本太低",
    "stat.js", "createElement",
]


def test_portal_page_keeps_the_article_and_drops_the_chrome(examples_dir: Path) -> None:
    doc = doc_of("2022_portal_page.html")
    exp = expected("2022_portal_page.html")
    assert doc.media_type == "html"
    assert doc.text.startswith(exp["title"] + "\n")
    assert "发布时间：2023-01-18" in doc.text
    leaked = [s for s in PORTAL_CHROME if s in doc.text]
    assert leaked == []
    assert doc.text.rstrip().endswith("无其他需要报告的事项。")


def test_html_inline_rowspan_colspan_expand(tmp_path: Path) -> None:
    page = (
        "<html><head><title>t</title><script>var a = '不应出现';</script></head><body>"
        "<div class='nav'><a href='/'>首页</a></div>"
        "<div class='content'><h1>某镇2022年政府信息公开工作年度报告</h1><p>本镇全年公开信息若干条。</p>"
        "<table><tr><td rowspan='2'>甲</td><td colspan='2'>乙</td></tr>"
        "<tr><td>1</td><td>2</td></tr>"
        "<tr><td>丙</td><td>3</td><td>4</td></tr></table></div></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    doc = read(path)
    assert "不应出现" not in doc.text and "首页" not in doc.text
    assert len(doc.grids) == 1
    grid = doc.grids[0]
    assert [[(c.text, c.spanned) for c in row] for row in grid.rows] == [
        [("甲", False), ("乙", False), ("乙", True)],
        [("甲", True), ("1", False), ("2", False)],
        [("丙", False), ("3", False), ("4", False)],
    ]
    assert "甲 | 乙\n" in doc.text and "1 | 2\n" in doc.text and "丙 | 3 | 4\n" in doc.text
    _assert_cells_point_into_text(doc, grid)


def test_html_meta_charset_gbk(tmp_path: Path) -> None:
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
            f"<body><div class='content'><p>{SAMPLE}</p></div></body></html>")
    path = tmp_path / "page.htm"
    path.write_bytes(page.encode("gbk"))
    doc = read(path)
    assert squash(doc.text) == squash(SAMPLE)


# ---------------------------------------------------------------------------
# Grids from HTML, PDF and DOCX: merged cells expanded, offsets exact
# ---------------------------------------------------------------------------


def _assert_cells_point_into_text(doc: Document, grid: Grid) -> None:
    widths = {len(row) for row in grid.rows}
    assert len(widths) == 1, f"grid is not rectangular: widths {widths}"
    origins = {(c.start, c.end, c.text) for row in grid.rows for c in row if not c.spanned}
    for row in grid.rows:
        for cell in row:
            assert grid.start <= cell.start <= cell.end <= grid.end
            if cell.spanned:
                assert (cell.start, cell.end, cell.text) in origins, cell
            else:
                assert doc.text[cell.start : cell.end] == cell.text


@pytest.mark.parametrize("name", GRID_FILES)
def test_grids_equal_the_template_layout(examples_dir: Path, name: str) -> None:
    """Every position of Tables 2/3/4 holds the generator's text; merged copies are ``spanned``."""
    doc = doc_of(name)
    want = template_grids(name)
    assert len(doc.grids) == 3
    for got, exp in zip(doc.grids, want, strict=True):
        assert [[(c.text, c.spanned) for c in row] for row in got.rows] == exp
        assert got.origin == doc.media_type


@pytest.mark.parametrize("name", GRID_FILES)
def test_grid_cells_point_into_text(examples_dir: Path, name: str) -> None:
    doc = doc_of(name)
    for grid in doc.grids:
        _assert_cells_point_into_text(doc, grid)
    # Table 3 of the 2021 template: 3 header rows + 25 data rows, 3 label + 7 value columns, 65 merged copies.
    t3 = doc.grids[1]
    assert (len(t3.rows), len(t3.rows[0])) == (28, 10)
    assert sum(c.spanned for row in t3.rows for c in row) == 65
    group = [row[0] for row in t3.rows[5:27]]  # 三、本年度办理结果 merged over 22 rows
    assert not group[0].spanned and all(c.spanned and c.text == group[0].text for c in group[1:])


def test_pdf_text_is_chinese_in_reading_order(examples_dir: Path) -> None:
    doc = doc_of("2023_zhen_report.pdf")
    exp = expected("2023_zhen_report.pdf")
    assert doc.media_type == "pdf" and doc.pages == 3
    assert doc.text.startswith(exp["title"])
    assert "(cid:" not in doc.text and "\ufffd" not in doc.text
    positions = [doc.text.find(exp["section_headings"][key]) for key in exp["sections"]]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    # tables sit between their headings; page numbers ("— 2 —") are not text
    for grid, (before, after) in zip(doc.grids, [(1, 2), (2, 3), (3, 4)], strict=True):
        assert positions[before] < grid.start < positions[after]
    assert "— 2 —" not in doc.text
    assert [g.page for g in doc.grids] == [1, 2, 3]


def test_docx_paragraphs_and_tables_in_body_order(examples_dir: Path) -> None:
    doc = doc_of("2024_bureau_report.docx")
    exp = expected("2024_bureau_report.docx")
    assert doc.media_type == "docx"
    lines = doc.text.splitlines()
    assert lines[0] == exp["title"]
    positions = [doc.text.find("\n" + exp["section_headings"][key] + "\n") for key in exp["sections"]]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    for grid, (before, after) in zip(doc.grids, [(1, 2), (2, 3), (3, 4)], strict=True):
        assert positions[before] < grid.start < grid.end <= positions[after] + 1


def test_docx_inline_merges(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("某局2024年政府信息公开工作年度报告")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "甲"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "乙"
    for (r, c), text in {(1, 1): "1", (1, 2): "2", (2, 0): "丙", (2, 1): "3", (2, 2): "4"}.items():
        table.cell(r, c).text = text
    document.add_paragraph("表后的段落。")
    path = tmp_path / "merged.docx"
    document.save(str(path))
    doc = read(path)
    grid = doc.grids[0]
    assert [[(c.text, c.spanned) for c in row] for row in grid.rows] == [
        [("甲", False), ("乙", False), ("乙", True)],
        [("甲", True), ("1", False), ("2", False)],
        [("丙", False), ("3", False), ("4", False)],
    ]
    _assert_cells_point_into_text(doc, grid)
    assert doc.text.index("年度报告") < grid.start < grid.end <= doc.text.index("表后的段落")


# ---------------------------------------------------------------------------
# Bad inputs: ReadError with a one-line reason, never a traceback
# ---------------------------------------------------------------------------


def _zip_bytes(entries: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buf.getvalue()


def _bad_inputs() -> list[tuple[str, str, bytes | None, str]]:
    rnd = random.Random(20240101)
    pdf = (EXAMPLES / "2023_zhen_report.pdf").read_bytes()
    docx_data = (EXAMPLES / "2024_bureau_report.docx").read_bytes()
    return [
        ("empty", "empty.txt", b"", "empty"),
        ("blank", "blank.txt", b" \n\t\r\n  ", "empty"),
        ("random bytes", "noise.txt", bytes(rnd.randrange(256) for _ in range(4096)), "binary"),
        ("NUL-laden", "nul.txt", b"\x00\x01\x02report\x00\x00" * 50, "binary"),
        ("truncated PDF", "cut.pdf", pdf[: len(pdf) // 2], "PDF"),
        ("PDF header only", "stub.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        ("zip that is not docx", "archive.zip", _zip_bytes({"a.txt": "hello"}), "ZIP"),
        ("zip named .docx", "fake.docx", _zip_bytes({"a.txt": "hello"}), "DOCX"),
        ("truncated docx", "cut.docx", docx_data[: len(docx_data) // 2], "DOCX"),
        ("HTML without body", "nobody.html", b"<html><head><title>x</title></head></html>", "body"),
        ("HTML without Chinese", "english.html", b"<html><body><p>hello world</p></body></html>", "Chinese"),
        ("legacy Office file", "report.xls", b"\xd0\xcf\x11\xe0 not really", "unsupported"),
    ]


@pytest.mark.parametrize("label,filename,data,reason", _bad_inputs(), ids=[b[0] for b in _bad_inputs()])
def test_bad_input_raises_read_error(tmp_path: Path, label: str, filename: str, data: bytes, reason: str) -> None:
    path = tmp_path / filename
    path.write_bytes(data)
    with pytest.raises(ReadError) as info:
        read(path)
    err = info.value
    assert reason.lower() in err.reason.lower(), err.reason
    assert err.source == str(path) and "\n" not in str(err)


def test_directory_and_missing_file_raise_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="directory"):
        read(tmp_path)
    with pytest.raises(ReadError, match="no such file"):
        read(tmp_path / "missing.pdf")


# ---------------------------------------------------------------------------
# The examples are consistent with their expected values
# ---------------------------------------------------------------------------

APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org"]


def _identity_failures(tables: dict[str, float | None], fmt: str) -> set[str]:
    """Spec §3.3/§4 identities on the printed values (blank counts as 0)."""
    m = gen()

    def v(key: str) -> float:
        return tables[key] or 0

    failures: set[str] = set()
    rows = [key for key, *_ in m.t3_layout(fmt)]
    for row in rows:
        if v(f"table3.{row}.total") != sum(v(f"table3.{row}.{c}") for c in APPLICANTS):
            failures.add(f"row:{row}")
    result_rows = m.RESULT_ROWS_2021 if fmt == "gov_2021" else m.RESULT_ROWS_2019
    for col in [*APPLICANTS, "total"]:
        if v(f"table3.results_total.{col}") != sum(v(f"table3.{r}.{col}") for r in result_rows):
            failures.add(f"col:{col}")
        left = v(f"table3.new_requests.{col}") + v(f"table3.carried_over.{col}")
        if left != v(f"table3.results_total.{col}") + v(f"table3.carried_forward.{col}"):
            failures.add(f"balance:{col}")
    for group in ("review", "litigation_direct", "litigation_after_review"):
        parts = sum(v(f"table4.{group}.{c}") for c in ("upheld", "corrected", "other", "pending"))
        if v(f"table4.{group}.total") != parts:
            failures.add(f"table4:{group}")
    return failures


def test_every_example_has_an_expected_file() -> None:
    files = sorted(p.name for p in EXAMPLES.iterdir() if p.is_file() and p.suffix != ".py")
    assert files == EXAMPLE_FILES
    assert len(files) == 8


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_expected_tables_are_complete_and_balance(name: str) -> None:
    exp = expected(name)
    tables, fmt = exp["tables"], exp["format_id"]
    if fmt == "legacy_2008":
        assert tables == {} and exp["legacy_stats"]
        return
    counts = {"table2": 0, "table3": 0, "table4": 0}
    for key in tables:
        counts[key.split(".")[0]] += 1
    assert counts == ({"table2": 10, "table3": 175, "table4": 15} if fmt == "gov_2021"
                      else {"table2": 22, "table3": 161, "table4": 15})
    failures = _identity_failures(tables, fmt)
    if exp["unbalanced"]:
        assert failures == {"row:results_total", "col:total", "balance:total"}
    else:
        assert failures == set()


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_text_holds_title_headings_and_facts(name: str) -> None:
    exp = expected(name)
    text = squash(doc_of(name).text)
    assert squash(exp["title"]) in text
    positions = [text.find(squash(exp["section_headings"][key])) for key in exp["sections"]]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    missing = [fact["raw"] for fact in exp["facts"] if squash(fact["raw"]) not in text]
    assert missing == []
    for fact in exp["facts"]:
        if "table_key" in fact:
            assert exp["tables"][fact["table_key"]] == fact["value"]


def test_generator_reproduces_the_committed_examples(tmp_path: Path) -> None:
    written = gen().build(tmp_path)
    assert len(written) == 2 * len(EXAMPLE_FILES)
    differ = [str(p.relative_to(tmp_path)) for p in written
              if p.read_bytes() != (EXAMPLES / p.relative_to(tmp_path)).read_bytes()]
    assert differ == []
