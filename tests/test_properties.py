"""Property tests (hypothesis) for number parsing and the readers.

The offset map and the table-row parser have their own property tests in
``test_normalise.py`` and ``test_tables.py``.
"""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.errors import NianbaoError
from nianbao.io.readers import read_bytes
from nianbao.lang.numbers import find_quantities, parse_cn_int, parse_number

_CN = "零一二三四五六七八九"


def _cn_below_10k(n: int, zero_gap: bool) -> str:
    """Chinese numeral for 0 < n < 10000 (the reference the parser is checked against)."""
    out, pending_zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if pending_zero and out:
                out += "零"
            out += _CN[d] + unit
            pending_zero = False
        elif out:
            pending_zero = zero_gap
    return out


def to_chinese(n: int) -> str:
    """Standard Chinese numeral (一百零五, 三千二百万零七) for 0 < n < 10^8."""
    high, low = divmod(n, 10_000)
    if not high:
        text = _cn_below_10k(low, True)
        return text[1:] if text.startswith("一十") else text  # 十二, not 一十二
    text = _cn_below_10k(high, True) + "万"
    if low:
        text += ("零" if low < 1000 else "") + _cn_below_10k(low, True)
    return text


@given(st.integers(min_value=0, max_value=10**15))
def test_arabic_integers_round_trip(n: int) -> None:
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n  # thousands separators
    assert parse_number(str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == n


@given(st.integers(min_value=1, max_value=10**8 - 1))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert parse_cn_int(to_chinese(n)) == n
    assert parse_number(to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=99_999), st.integers(min_value=0, max_value=99))
def test_decimals_and_multipliers(whole: int, frac: int) -> None:
    text = f"{whole}.{frac:02d}"
    assert parse_number(text) == pytest.approx(whole + frac / 100)
    assert parse_number(text + "万") == pytest.approx((whole + frac / 100) * 10_000)
    assert parse_number(text + "%") == pytest.approx(whole + frac / 100)


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["", "余", "多"]),
       st.sampled_from(["件", "条", "人次", "场"]), st.text(alphabet="全年依申请公开政务", max_size=8))
def test_quantity_in_prose_has_exact_span(n: int, approx: str, unit: str, before: str) -> None:
    """A count in a sentence is found with its value, unit and a span that covers what was written."""
    text = f"{before}受理{n}{approx}{unit}。"
    qs = [q for q in find_quantities(text) if q.kind == "number" and q.value == n]
    assert qs, text
    q = qs[0]
    assert text[q.num_start:q.num_end] == str(n)
    assert text[q.start:q.end] == q.raw
    assert q.unit == unit
    assert (q.qualifier != "exact") == bool(approx)


_PROSE = st.text(alphabet=st.sampled_from(list("政府信息公开年度报告依申请受理件条一二三0123456789,.。,:;()《》\n 　ABCabc")),
                 min_size=1, max_size=300)


@given(_PROSE, st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-8-sig"]))
@settings(max_examples=150)
def test_text_reader_decodes_every_encoding(text: str, encoding: str) -> None:
    """Text in any supported encoding reads back as itself.

    Every report has a title line; a few bytes alone are ambiguous (D2 BB is 一 in GB18030 and һ in UTF-8).
    """
    text = "某区人民政府信息公开年度报告\n" + text
    data = text.encode(encoding)
    doc = read_bytes(data, "p.txt", ".txt")
    assert doc.text == text.replace("\r\n", "\n")


@given(st.binary(max_size=400), st.sampled_from([".txt", ".md", ".html", ".pdf", ".docx", ".bin"]))
@settings(max_examples=300)
def test_readers_refuse_bytes_with_one_line(data: bytes, suffix: str) -> None:
    """Arbitrary bytes either read as a document or fail with a NianbaoError whose line names the file."""
    try:
        doc = read_bytes(data, f"x{suffix}", suffix)
    except NianbaoError as exc:
        line = exc.line()
        assert "\n" not in line and f"x{suffix}" in line
        return
    assert isinstance(doc.text, str)


_CELL = st.text(alphabet=st.sampled_from(list("申请公开件数合计本年度0123456789&<>")), min_size=1, max_size=8)


@given(st.lists(st.lists(_CELL, min_size=2, max_size=4), min_size=1, max_size=6))
@settings(max_examples=100)
def test_html_grid_cells_point_at_their_text(rows: list[list[str]]) -> None:
    """Every grid cell of an HTML table knows where its text sits in Document.text."""
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    page = f"<html><body><p>某区人民政府信息公开年度报告正文。</p><table>{body}</table></body></html>"
    doc = read_bytes(page.encode("utf-8"), "t.html", ".html")
    assert len(doc.grids) == 1
    grid = doc.grids[0]
    width = max(map(len, rows))  # ragged rows are padded to a rectangle
    expected = [[c.strip() for c in row] + [""] * (width - len(row)) for row in rows]
    assert [[c.text for c in row] for row in grid.rows] == expected
    for row in grid.rows:
        for cell in row:
            assert doc.text[cell.start:cell.end] == cell.text


def test_gb18030_with_little_chinese_is_not_guessed_away() -> None:
    """Digits and punctuation with one CJK mark: the strict GB18030 decode wins over a statistical guess."""
    text = "Table 2: 12 | 3 | 4 | 0 。\n"
    assert read_bytes(text.encode("gb18030"), "t.txt", ".txt").text == text


@given(st.integers(min_value=1, max_value=2))  # 。 is three bytes: cut one or two of them
def test_utf8_cut_inside_last_character_still_reads(cut: int) -> None:
    """A download that stopped mid-character loses that character only, with a notice."""
    text = "某区人民政府信息公开年度报告\n受理申请12件"
    data = (text + "。").encode("utf-8")[:-cut]
    doc = read_bytes(data, "cut.txt", ".txt")
    assert doc.text == text
    assert any(n.code == "truncated_file" for n in doc.warnings)
