"""The review page without a browser: structure, escaping, links, self-containment, CLI errors."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as Dom

import synthetic_report as synth
from nianbao.errors import NianbaoError, ReadError
from nianbao.present.view import _Mark, _nest, cell_anchor, render, write_view
from nianbao.schema import Entity, Fact, Report

VOID = {"meta", "br", "input", "img", "hr", "link", "col", "area", "base", "embed", "source", "track", "wbr"}


class _Nesting(HTMLParser):
    """Fails on any end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def _well_formed(page: str) -> None:
    p = _Nesting()
    p.feed(page)
    assert not p.errors, p.errors[:5]
    assert p.stack == []


@pytest.fixture(scope="module")
def page() -> str:
    return render(synth.report(), synth.TEXT)


def test_structure_and_hooks(page: str) -> None:
    _well_formed(page)
    dom = Dom(page)
    header = dom.css_first("#report-header")
    assert synth.ISSUER in header.text() and "gov_2021" in header.text()
    assert synth.report().sha256 in header.text()
    assert [n.attributes["data-section"] for n in dom.css("#report-text .section")] == [
        s.key for s in synth.sections()]
    assert len(dom.css("mark.fact[id]")) == len(synth.facts())
    assert len(dom.css("mark.ent[id]")) == len(synth.entities())
    td = dom.css_first('table.table3 td[data-key="table3.new_requests.total"]')
    assert td.text().strip() == "42" and "check-fail" in td.attributes["class"]
    assert "table3.new_requests.total" in td.attributes["title"]
    assert dom.css_first('table.table4 td[data-key="table4.litigation_direct.total"]').text().strip() == "1"
    assert dom.css_first('table.table2 td[data-key="table2.admin_fees.amount_wan_yuan"]').text().strip() == "3.5"
    paras = dom.css(".paragraph[data-role]")
    assert [p.attributes["data-role"] for p in paras] == [p.role for p in synth.paragraphs()]
    assert "attribute_review" in paras[2].css_first(".badges").text()
    assert dom.css("#warnings .warning")


def test_text_is_preserved_exactly(page: str) -> None:
    """Removing the added labels/badges gives back the document text, character for character."""
    dom = Dom(page)
    body = dom.css_first("#report-text")
    for sel in (".lbl", ".badges"):
        for n in body.css(sel):
            n.decompose()
    assert body.text(deep=True) == synth.TEXT


def test_failing_checks_link_to_cells_and_conflicts_link_both_ways(page: str) -> None:
    dom = Dom(page)
    fails = dom.css("#checks li.check-fail")
    assert [f.attributes["data-check-id"] for f in fails] == ["table3.balance.total", "merge.narrative.requests.received"]
    ids = {n.attributes.get("id") for n in dom.css("[id]")}
    for a in dom.css("#checks a, #conflicts a"):
        assert a.attributes["href"].lstrip("#") in ids, a.attributes["href"]
    (conflict,) = dom.css("li.conflict")
    assert conflict.attributes["data-metric"] == "narrative.requests.received"
    hrefs = [a.attributes["href"] for a in conflict.css("a")]
    assert f"#{cell_anchor('table3.new_requests.total')}" in hrefs
    fact_links = conflict.css("a.to-fact")
    assert len(fact_links) == 3 and [a.text() for a in conflict.css("a.contradicted")] == ["2件"]
    # only the contradicted statement is marked in the text
    marked = dom.css("mark.fact.conflict-mark")
    assert len(marked) == 1 and marked[0].text().startswith("2件")


def test_everything_is_escaped_and_self_contained() -> None:
    text = '<script>alert("x")</script> & 收到申请<b>5</b>件 "q"'
    s = text.index("5")
    r = Report(source='a"<b>.txt', issuer="<i>局</i>", facts=[Fact(metric="narrative.requests.received", value=5,
                                                                   raw="5", start=s, end=s + 1)],
               entities=[Entity(label='X"><script>', start=0, end=8, text=text[:8])])
    page = render(r, text)
    _well_formed(page)
    assert "<script>alert" not in page and "<i>局" not in page and 'X"><script>' not in page
    assert Dom(page).css_first("#report-text").text().count("alert") == 1
    assert page.count("<script") == 2  # the JSON metadata block and the page script, both ours
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page and "<link" not in page


def test_crossing_marks_are_split_not_misnested() -> None:
    text = "abcdefghij"
    marks = [_Mark(0, 6, 1, '<span id="p">', "<span>", "</span>"), _Mark(4, 9, 3, '<mark id="f">', "<mark>", "</mark>",
                                                                         "<i>L</i>")]
    out = _nest(text, marks)
    assert out == '<span id="p">abcd<mark id="f">ef</mark></span><mark>ghi<i>L</i></mark>j'


def test_empty_report_renders() -> None:
    page = render(Report(source="empty.txt"), "")
    _well_formed(page)
    dom = Dom(page)
    assert dom.css_first("#report-header") is not None
    assert "not found" in dom.css_first("#tables").text()


def test_write_view_refuses_to_overwrite_and_reports_read_errors(tmp_path: Path) -> None:
    src = tmp_path / "r.txt"
    src.write_text(synth.TEXT, encoding="utf-8")
    out = tmp_path / "r.html"
    write_view(src, out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(NianbaoError, match="output exists"):
        write_view(src, out)
    write_view(src, out, force=True)
    with pytest.raises(ReadError):
        write_view(tmp_path / "missing.txt", tmp_path / "m.html")
    with pytest.raises(NianbaoError, match="does not exist"):
        write_view(src, tmp_path / "no" / "dir.html")
    assert not list(tmp_path.glob(".*.tmp"))


# --- 1./6. the legacy annex and the corpus site ----------------------------------------------------------


def test_legacy_annex_is_shown_and_linked_to_the_text() -> None:
    from export_fixtures import LEGACY
    from nianbao.io.readers import read_bytes
    from nianbao.pipeline import process

    doc = read_bytes(LEGACY.encode("utf-8"), "annex.txt")
    report = process(doc)
    page = render(report, doc.text)
    _well_formed(page)
    dom = Dom(page)
    block = dom.css_first("#legacy-stats")
    assert block is not None
    assert [th.text() for th in block.css("thead th")][2:] == ["2016年度", "累计"]
    cell = dom.css_first('#legacy-stats td[data-label="收到申请数"][data-period="2016年度"]')
    assert cell.text() == "12" and cell.attributes["data-status"] == "ok"
    target = cell.css_first("a").attributes["href"].lstrip("#")
    anchor = dom.css_first(f"#{target}")
    assert anchor is not None and anchor.text() == "12"
    assert anchor.attributes["href"] == f"#{cell.attributes['id']}"
    assert "not part of the 2008–2018 format (see the statistics annex below)" in dom.css_first("#table3").text()


def test_site_for_a_folder_has_an_index_linking_every_page(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    from export_fixtures import LEGACY

    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "annex.txt").write_text(LEGACY, encoding="utf-8")
    (src / "sub" / "other.txt").write_text(LEGACY.replace("北河县", "东坡县"), encoding="utf-8")
    shutil.copy(src / "annex.txt", src / "sub" / "copy.txt")
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage \n%%EOF")
    site = tmp_path / "site"
    res = subprocess.run([sys.executable, "-m", "nianbao.cli", "view", str(src), "-o", str(site)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert f"nianbao: error: {src / 'broken.pdf'}:" in res.stderr and "wrote 2 pages" in res.stderr
    index = (site / "index.html").read_text(encoding="utf-8")
    _well_formed(index)
    links = [a.attributes["href"] for a in Dom(index).css("#index a")]
    assert len(links) == 2 and all((site / href).is_file() for href in links)
    assert "copy.txt" in index and "broken.pdf" in index
    for href in links:
        assert 'id="legacy-stats"' in (site / href).read_text(encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "nianbao.cli", "view", str(src), "-o", str(site)],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 1 and "--force" in again.stderr
