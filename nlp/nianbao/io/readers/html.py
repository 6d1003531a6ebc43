"""Saved web pages: keep the article body, drop portal chrome, expand table spans.

Uses lexbor through selectolax (fast, no scripts run, nothing fetched). The body is
the deepest element that still holds most of the page's non-link CJK text, after
removing elements whose tag or class/id says navigation, header, footer or share.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nianbao.errors import ReadError
from nianbao.io.readers.builder import TextBuilder, clean_cell, expand_spans
from nianbao.io.readers.text import decode
from nianbao.lang.cjk import HAN
from nianbao.resources import load_yaml
from nianbao.schema import Document, Notice

_BLOCK = {
    "p", "div", "br", "tr", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
    "blockquote", "pre", "dd", "dt", "dl", "hr", "center", "form", "header", "footer", "title", "body", "main",
}
_DROP = {"script", "style", "noscript", "iframe", "template", "svg", "object", "embed", "select", "option",
         "button", "input", "textarea", "head", "img", "video", "audio", "canvas", "map"}
_CJK = re.compile(rf"[{HAN}]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


@lru_cache(maxsize=1)
def _chrome() -> tuple[set[str], re.Pattern[str], re.Pattern[str]]:
    data = load_yaml("html.yaml")
    return set(data["chrome_tags"]), re.compile(data["chrome_attr"], re.I), re.compile(data["content_attr"], re.I)


def _decode_html(data: bytes, source: str) -> tuple[str, str, list[Notice]]:
    m = _META_CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii", "replace").lower()
        enc = {"gb2312": "gb18030", "gbk": "gb18030"}.get(enc, enc)
        try:
            return data.decode(enc), enc, []
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, source)


def _cjk_len(node) -> int:  # type: ignore[no-untyped-def]
    return len(_CJK.findall(node.text(deep=True, separator="") or ""))


def _pick_body(body):  # type: ignore[no-untyped-def]
    """Deepest element with ≥ 80% of the page's non-link CJK text (or a content-class element)."""
    chrome_tags, chrome_attr, content_attr = _chrome()
    for node in list(body.traverse()):
        if node.tag in _DROP or node.tag in chrome_tags:
            node.decompose()
            continue
        attrs = " ".join(v or "" for k, v in (node.attributes or {}).items() if k in ("class", "id"))
        if attrs and chrome_attr.search(attrs) and not content_attr.search(attrs):
            node.decompose()
    total = _cjk_len(body) - sum(_cjk_len(a) for a in body.css("a"))
    if total <= 0:
        return body
    best = body
    node = body
    while True:
        nxt = None
        for child in _children(node):
            if child.tag == "-text":
                continue
            own = _cjk_len(child) - sum(_cjk_len(a) for a in child.css("a"))
            if own >= 0.8 * total:
                nxt = child
                break
        if nxt is None:
            break
        node = best = nxt
    # Climb back up while the parent adds only a little text: the headline and its
    # date line usually sit just outside the article's text container.
    own = _cjk_len(best) - sum(_cjk_len(a) for a in best.css("a"))
    while best.parent is not None and best is not body:
        parent = best.parent
        extra = _cjk_len(parent) - sum(_cjk_len(a) for a in parent.css("a")) - own
        if extra > max(0.15 * own, 150):
            break
        best = parent
    return best


def _children(node):  # type: ignore[no-untyped-def]
    child = node.child
    while child is not None:
        yield child
        child = child.next


def _render(root, out: TextBuilder) -> None:  # type: ignore[no-untyped-def]
    """Iterative walk (deep nesting must not hit the recursion limit)."""
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag  # type: ignore[attr-defined]
        if closing:
            if tag in _BLOCK:
                out.newline()
            continue
        if tag == "-text":
            txt = re.sub(r"\s+", " ", node.text_content or "")  # type: ignore[attr-defined]
            if txt.strip():
                if out.tail() == "\n" or not len(out):
                    txt = txt.lstrip()
                out.write(txt)
            continue
        if tag == "-comment" or tag in _DROP:
            continue
        if tag == "br":
            out.write("\n")
            continue
        if tag == "table":
            _table(node, out)
            continue
        if tag in _BLOCK:
            out.newline()
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(list(_children(node))))


def _int_attr(node, name: str) -> int:  # type: ignore[no-untyped-def]
    try:
        return max(1, min(int((node.attributes or {}).get(name) or 1), 1000))
    except ValueError:
        return 1


def _table(table, out: TextBuilder) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for tr in table.css("tr"):
        # skip rows of nested tables: only cells whose nearest table is this one
        cells = [c for c in _children(tr) if c.tag in ("td", "th")]
        rows.append([(clean_cell(c.text(deep=True, separator="\n")), _int_attr(c, "rowspan"), _int_attr(c, "colspan"))
                     for c in cells])
    grid = expand_spans(rows)
    if sum(1 for r in grid for t, _ in r if t) <= 1 or max((len(r) for r in grid), default=0) <= 1:
        # layout tables (one column) are text, not statistics
        for r in grid:
            for t, spanned in r:
                if t and not spanned:
                    out.newline()
                    out.write(t)
        out.newline()
        return
    out.add_table(grid, origin="html")


def read_html(data: bytes, source: str) -> Document:
    from selectolax.lexbor import LexborHTMLParser

    text, enc, notices = _decode_html(data, source)
    if not text.strip():
        raise ReadError(source, "empty file")
    tree = LexborHTMLParser(text)
    body = tree.body
    if body is None or not (body.text(deep=True) or "").strip():
        raise ReadError(source, "HTML has no body text")
    article = _pick_body(body)
    out = TextBuilder()
    _render(article, out)
    body_text = out.text()
    if not _CJK.search(body_text):
        raise ReadError(source, "HTML has no Chinese body text")
    return Document(source=source, media_type="html", text=body_text, grids=out.grids, encoding=enc, warnings=notices)
