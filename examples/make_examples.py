"""Build the bundled example reports and their expected values from one source of truth.

Every example is a fictional agency's annual report written for this project (no
text is taken from real reports). Each example is declared once below as prose
blocks plus table values; the same declaration renders the file (txt/GBK txt/
traditional txt/markdown/HTML/PDF/DOCX) and ``expected/<file>.json`` so that text,
tables and expected values cannot drift apart.

All tables balance (spec §3.3/§4) except one deliberate error in
``2020_xian_gbk.txt``: its Table 3 （七）总计/总计 cell is printed as 28 while its
components add up to 27 (see ``unbalanced`` in that example's JSON).

Usage: ``.venv/bin/python examples/make_examples.py [--out DIR]`` (default: this folder).
Outputs are byte-for-byte reproducible (PDF invariant mode, fixed ZIP timestamps).
"""

from __future__ import annotations

import argparse
import html
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

Value = int | float | None

# ---------------------------------------------------------------------------
# Table model: rows of logical cells with spans, as in the official templates.
# ---------------------------------------------------------------------------


@dataclass
class C:
    """One logical table cell; ``key`` names the canonical value it holds (None for labels)."""

    text: str
    rs: int = 1
    cs: int = 1
    key: str | None = None


Table = list[list[C]]

APPLICANT_COLS = [
    ("natural_person", "自然人"),
    ("commercial_enterprise", "商业企业"),
    ("research_institution", "科研机构"),
    ("social_welfare_org", "社会公益组织"),
    ("legal_service_org", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
]

# Table 3 data rows in template order: (row key, group label, sub-group label, own label).
# A group/sub-group label is vertically merged over all rows that share it.
_DENIED = [
    ("denied_state_secret", "1.属于国家秘密"),
    ("denied_law_prohibited", "2.其他法律行政法规禁止公开"),
    ("denied_security_stability", "3.危及“三安全一稳定”"),
    ("denied_third_party", "4.保护第三方合法权益"),
    ("denied_internal_affairs", "5.属于三类内部事务信息"),
    ("denied_process_info", "6.属于四类过程性信息"),
    ("denied_enforcement_file", "7.属于行政执法案卷"),
    ("denied_admin_query", "8.属于行政查询事项"),
]
_UNABLE = [
    ("unable_not_held", "1.本机关不掌握相关政府信息"),
    ("unable_need_creation", "2.没有现成信息需要另行制作"),
    ("unable_unclear", "3.补正后申请内容仍不明确"),
]
_NOT_PROCESSED = [
    ("not_processed_petition", "1.信访举报投诉类申请"),
    ("not_processed_duplicate", "2.重复申请"),
    ("not_processed_publication", "3.要求提供公开出版物"),
    ("not_processed_mass_repeat", "4.无正当理由大量反复申请"),
    ("not_processed_confirm_reissue", "5.要求行政机关确认或重新出具已获取信息"),
]
_DROPPED = "行政机关不再处理其政府信息公开申请"  # shared ending of the two 2021 （六） rows
_OTHER_2021 = [
    ("other_no_correction", f"1.申请人无正当理由逾期不补正、{_DROPPED}"),
    ("other_fee_unpaid", f"2.申请人逾期未按收费通知要求缴纳费用、{_DROPPED}"),
    ("other_misc", "3.其他"),
]
# The template's note on the printed identity: items one plus two equal items three plus four.
_SUM_12, _SUM_34 = "第一项加第二项之和", "第三项加第四项之和"
T3_NOTE = f"（本列数据的勾稽关系为：{_SUM_12}，等于{_SUM_34}）"
T3_GROUP = "三、本年度办理结果"
_PARTIAL_RULE = "区分处理的，只计这一情形，不计其他情形"
T3_PARTIAL = f"（二）部分公开（{_PARTIAL_RULE}）"


def t3_layout(fmt: str) -> list[tuple[str, str | None, str | None, str]]:
    rows: list[tuple[str, str | None, str | None, str]] = [
        ("new_requests", None, None, "一、本年新收政府信息公开申请数量"),
        ("carried_over", None, None, "二、上年结转政府信息公开申请数量"),
        ("granted", T3_GROUP, None, "（一）予以公开"),
        ("partially_granted", T3_GROUP, None, T3_PARTIAL),
    ]
    rows += [(k, T3_GROUP, "（三）不予公开", lab) for k, lab in _DENIED]
    rows += [(k, T3_GROUP, "（四）无法提供", lab) for k, lab in _UNABLE]
    rows += [(k, T3_GROUP, "（五）不予处理", lab) for k, lab in _NOT_PROCESSED]
    if fmt == "gov_2021":
        rows += [(k, T3_GROUP, "（六）其他处理", lab) for k, lab in _OTHER_2021]
    else:
        rows.append(("other", T3_GROUP, None, "（六）其他处理"))
    rows.append(("results_total", T3_GROUP, None, "（七）总计"))
    rows.append(("carried_forward", None, None, "四、结转下年度继续办理"))
    return rows


RESULT_ROWS_2019 = ["granted", "partially_granted", *(k for k, _ in _DENIED + _UNABLE + _NOT_PROCESSED), "other"]
RESULT_ROWS_2021 = [*RESULT_ROWS_2019[:-1], *(k for k, _ in _OTHER_2021)]


def table3(fmt: str, header: str = "template") -> Table:
    """Table 3 as the template merges it: 3 label columns + 7 value columns.

    ``header``: "template" (3 header rows), "total_first" (总计 merged over all three
    header rows, so a text paste prints it on the first line, as in some Word files),
    "single" (one header row of the seven column names, as in locally retyped tables), or
    "flat" (one header row of joined paths, as markdown converters write multi-row headers).
    """
    lab = [x for _, x in APPLICANT_COLS]
    if header == "flat":
        head = "申请人情况"
        rows: Table = [[C(T3_NOTE, cs=3), C(f"{head}/{lab[0]}"),
                        *(C(f"{head}/{'法人或其他组织'}/{x}") for x in lab[1:6]), C(f"{head}/{lab[6]}")]]
    elif header == "single":
        rows = [[C(T3_NOTE, cs=3), *(C(x) for x in lab)]]
    elif header == "total_first":
        rows = [
            [C(T3_NOTE, rs=3, cs=3), C("申请人情况", cs=6), C(lab[6], rs=3)],
            [C(lab[0], rs=2), C("法人或其他组织", cs=5)],
            [C(x) for x in lab[1:6]],
        ]
    else:
        rows = [
            [C(T3_NOTE, rs=3, cs=3), C("申请人情况", cs=7)],
            [C(lab[0], rs=2), C("法人或其他组织", cs=5), C(lab[6], rs=2)],
            [C(x) for x in lab[1:6]],
        ]
    layout = t3_layout(fmt)
    group_len = sum(1 for _, g, _, _ in layout if g)
    seen: set[str] = set()
    for key, group, sub, label in layout:
        row: list[C] = []
        if group and group not in seen:
            seen.add(group)
            row.append(C(group, rs=group_len))
        if sub and sub not in seen:
            seen.add(sub)
            row.append(C(sub, rs=sum(1 for _, _, s, _ in layout if s == sub)))
        if sub:
            row.append(C(label))
        else:
            row.append(C(label, cs=2 if group else 3))
        row += [C("", key=f"table3.{key}.{col}") for col, _ in APPLICANT_COLS]
        rows.append(row)
    return rows


def table2(fmt: str, fee_header: str = "本年收费金额（单位：万元）",
           procurement_header: str = "采购总金额(元)", header: str = "template") -> Table:
    """Table 2 as one 4-column table; single-value blocks merge their value over 3 columns.

    ``header="caption"`` puts each block's 第二十条第（X）项 caption in the header row's
    first cell instead of 信息内容 (a common way of retyping the template).
    """
    table = _table2(fmt, fee_header, procurement_header)
    if header != "caption":
        return table
    out: Table = []
    for row in table:
        if row[0].text.startswith("第二十条"):
            caption = row[0].text
            continue
        if row[0].text == "信息内容":
            row = [C(caption), *row[1:]]
        out.append(row)
    return out


def _table2(fmt: str, fee_header: str, procurement_header: str) -> Table:
    def cap(item: str) -> list[C]:
        return [C(f"第二十条第（{item}）项", cs=4)]

    def vals(row: str, cols: list[str]) -> list[C]:
        return [C("", key=f"table2.{row}.{c}") for c in cols]

    if fmt == "gov_2021":
        return [
            cap("一"),
            [C("信息内容"), C("本年制发件数"), C("本年废止件数"), C("现行有效件数")],
            [C("规章"), *vals("regulations", ["issued", "repealed", "in_force"])],
            [C("行政规范性文件"), *vals("normative_docs", ["issued", "repealed", "in_force"])],
            cap("五"),
            [C("信息内容"), C("本年处理决定数量", cs=3)],
            [C("行政许可"), C("", cs=3, key="table2.licensing.decisions")],
            cap("六"),
            [C("信息内容"), C("本年处理决定数量", cs=3)],
            [C("行政处罚"), C("", cs=3, key="table2.penalty.decisions")],
            [C("行政强制"), C("", cs=3, key="table2.coercion.decisions")],
            cap("八"),
            [C("信息内容"), C(fee_header, cs=3)],
            [C("行政事业性收费"), C("", cs=3, key="table2.admin_fees.amount_wan_yuan")],
        ]
    three = ["prev_year_items", "items_change", "decisions"]
    head = [C("信息内容"), C("上一年项目数量"), C("本年增/减"), C("处理决定数量")]
    return [
        cap("一"),
        [C("信息内容"), C("本年新制作数量"), C("本年新公开数量"), C("对外公开总数量")],
        [C("规章"), *vals("regulations", ["new_made", "new_published", "total_published"])],
        [C("规范性文件"), *vals("normative_docs", ["new_made", "new_published", "total_published"])],
        cap("五"),
        list(head),
        [C("行政许可"), *vals("licensing", three)],
        [C("其他对外管理服务事项"), *vals("other_mgmt_services", three)],
        cap("六"),
        list(head),
        [C("行政处罚"), *vals("penalty", three)],
        [C("行政强制"), *vals("coercion", three)],
        cap("八"),
        [C("信息内容"), C("上一年项目数量"), C("本年增/减"), C("")],
        [C("行政事业性收费"), *vals("admin_fees", three[:2]), C("")],
        cap("九"),
        [C("信息内容"), C("采购项目数量"), C(procurement_header), C("")],
        [C("政府集中采购"), *vals("central_procurement", ["projects", "amount_yuan"]), C("")],
    ]


T4_COLS = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"),
           ("total", "总计")]
T4_GROUPS = ["review", "litigation_direct", "litigation_after_review"]


def table4(header: str = "template") -> Table:
    """Table 4: 3 header rows (template) or one row of joined header paths ("flat")."""
    cols = [lab for _, lab in T4_COLS]
    values = [C("", key=f"table4.{g}.{c}") for g in T4_GROUPS for c, _ in T4_COLS]
    review, lit, direct, after = "行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"
    if header == "flat":
        paths = [review] * 5 + [f"{lit}/{direct}"] * 5 + [f"{lit}/{after}"] * 5
        return [[C(f"{p}/{cols[i % 5]}") for i, p in enumerate(paths)], values]
    return [
        [C(review, cs=5), C(lit, cs=10)],
        [*(C(lab, rs=2) for lab in cols), C(direct, cs=5), C(after, cs=5)],
        [C(lab) for _ in range(2) for lab in cols],
        values,
    ]


def expand(table: Table) -> list[list[tuple[C, bool, str]]]:
    """Rectangular grid of (cell, spanned, how) with how ∈ {'', 'h', 'v'} for spanned copies."""
    grid: dict[tuple[int, int], tuple[C, bool, str]] = {}
    width = 0
    for r, row in enumerate(table):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    grid[(r + dr, c + dc)] = (cell, bool(dr or dc), "v" if dr else ("h" if dc else ""))
            c += cell.cs
            width = max(width, c)
    blank = C("")
    return [[grid.get((r, c), (blank, False, "")) for c in range(width)] for r in range(len(table))]


# ---------------------------------------------------------------------------
# Values: build every canonical cell of a table from compact per-row data.
# ---------------------------------------------------------------------------


def t3_values(fmt: str, rows: dict[str, list[Value]], overrides: dict[str, Value] | None = None) -> dict[str, Value]:
    """All Table 3 cells; totals, （七）总计 and 结转下年度 computed so every identity holds.

    ``rows`` gives the six applicant values per row (None = printed blank); rows not
    given are all zero. ``overrides`` replace printed values after the computation
    (used once, for the deliberately unbalanced example).
    """
    result_rows = RESULT_ROWS_2021 if fmt == "gov_2021" else RESULT_ROWS_2019
    cols = [c for c, _ in APPLICANT_COLS[:6]]
    per_row: dict[str, list[Value]] = {}
    for key in ["new_requests", "carried_over", *result_rows]:
        per_row[key] = list(rows.get(key, [0] * 6))
        assert len(per_row[key]) == 6, key
    unknown = set(rows) - set(per_row)
    assert not unknown, f"unknown Table 3 rows {unknown}"

    def z(v: Value) -> int | float:
        return v or 0

    per_row["results_total"] = [sum(z(per_row[r][i]) for r in result_rows) for i in range(6)]
    per_row["carried_forward"] = [
        z(per_row["new_requests"][i]) + z(per_row["carried_over"][i]) - per_row["results_total"][i] for i in range(6)
    ]
    assert all(v >= 0 for v in per_row["carried_forward"]), per_row["carried_forward"]  # type: ignore[operator]
    out: dict[str, Value] = {}
    for key, _, _, _ in t3_layout(fmt):
        vals = per_row[key]
        for col, v in zip(cols, vals, strict=True):
            out[f"table3.{key}.{col}"] = v
        out[f"table3.{key}.total"] = sum(z(v) for v in vals)
    for k, v in (overrides or {}).items():
        assert k in out, k
        out[k] = v
    return out


def t4_values(review: list[int], direct: list[int], after: list[int]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for group, vals in zip(T4_GROUPS, (review, direct, after), strict=True):
        for (col, _), v in zip(T4_COLS, [*vals, sum(vals)], strict=True):
            out[f"table4.{group}.{col}"] = v
    return out


def t2_2021(regs: list[int], norms: list[int], licensing: int, penalty: int, coercion: int,
            fees: float) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for row, vals in (("regulations", regs), ("normative_docs", norms)):
        for col, v in zip(["issued", "repealed", "in_force"], vals, strict=True):
            out[f"table2.{row}.{col}"] = v
    out["table2.licensing.decisions"] = licensing
    out["table2.penalty.decisions"] = penalty
    out["table2.coercion.decisions"] = coercion
    out["table2.admin_fees.amount_wan_yuan"] = fees
    return out


def t2_2019(regs: list[int], norms: list[int], licensing: list[int], other_mgmt: list[int], penalty: list[int],
            coercion: list[int], fees: list[int], procurement: list[Value]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for row, vals in (("regulations", regs), ("normative_docs", norms)):
        for col, v in zip(["new_made", "new_published", "total_published"], vals, strict=True):
            out[f"table2.{row}.{col}"] = v
    three = ["prev_year_items", "items_change", "decisions"]
    for row, vals in (("licensing", licensing), ("other_mgmt_services", other_mgmt), ("penalty", penalty),
                      ("coercion", coercion)):
        for col, v in zip(three, vals, strict=True):
            out[f"table2.{row}.{col}"] = v
    out["table2.admin_fees.prev_year_items"], out["table2.admin_fees.items_change"] = fees
    out["table2.central_procurement.projects"], out["table2.central_procurement.amount_yuan"] = procurement
    return out


def fmt_value(key: str, v: Value, printed: dict[str, str]) -> str:
    """How a value is printed in the report; ``printed`` overrides (e.g. money in 万元)."""
    if key in printed:
        return printed[key]
    if v is None:
        return ""
    if key.endswith("items_change") and v > 0:
        return f"+{v}"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


# ---------------------------------------------------------------------------
# Example declaration.
# ---------------------------------------------------------------------------


@dataclass
class Fact:
    metric: str
    value: int | float | bool | None
    unit: str | None
    qualifier: str
    raw: str  # the phrase as it reads in the (simplified) source prose
    section: str
    table_key: str | None = None  # the table cell the prose number must equal


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[str]  # paragraphs; "[T2]" "[T3]" "[T4]" place the tables; "## x" = sub-heading line


@dataclass
class Example:
    file: str
    issuer: str
    year: int
    format_id: str
    title: str
    preamble: list[str]
    sections: list[Section]
    tables: dict[str, Value]
    facts: list[Fact]
    script: str = "simplified"
    # Label variants seen in practice (wording, half-/full-width punctuation), applied to label cells only.
    labels: list[tuple[str, str]] = field(default_factory=list)
    t3_header: str = "template"
    t4_header: str = "template"
    printed: dict[str, str] = field(default_factory=dict)
    t2_kwargs: dict[str, str] = field(default_factory=dict)
    label_variants: list[str] = field(default_factory=list)  # what differs from the template, for the JSON
    unbalanced: list[str] = field(default_factory=list)
    legacy_stats: list[tuple[str, str, int | float]] = field(default_factory=list)
    issuer_raw: str | None = None

    def grids(self) -> dict[str, Table]:
        if self.format_id not in ("gov_2019", "gov_2021"):
            return {}
        return {"[T2]": table2(self.format_id, **self.t2_kwargs),
                "[T3]": table3(self.format_id, self.t3_header), "[T4]": table4(self.t4_header)}

    def cell_text(self, cell: C) -> str:
        if cell.key is None:
            text = cell.text
            for old, new in self.labels:
                text = text.replace(old, new)
            return text
        return fmt_value(cell.key, self.tables[cell.key], self.printed)


# ---------------------------------------------------------------------------
# Plain-text table layouts (what copying a table out of Word/PDF/a web page gives).
# ---------------------------------------------------------------------------

Grid = list[list[tuple[str, bool, str]]]


def text_grid(ex: Example, table: Table) -> Grid:
    return [[(ex.cell_text(cell), spanned, how) for cell, spanned, how in row] for row in expand(table)]


def layout_tabs(grid: Grid) -> list[str]:
    """Word table pasted as text: TAB between cells, merged copies left empty (leading empty cells)."""
    lines = []
    for row in grid:
        if row[0][0].startswith("第二十条"):
            lines.append("")  # stray blank line before each Table 2 block, as pastes have
        lines.append("\t".join("" if spanned else text for text, spanned, _ in row).rstrip("\t"))
    return lines


def layout_cell_lines(grid: Grid) -> list[str]:
    """One cell per line with a trailing ``|``; horizontally merged copies become a ``|||`` line."""
    lines = []
    for row in grid:
        run = 0
        for text, spanned, how in row:
            if spanned:
                run += how == "h"
                continue
            if run:
                lines.append("|" * run)
                run = 0
            lines.append(f"{text} |" if text else "|")
        if run:
            lines.append("|" * run)
    return lines


def layout_pipes(grid: Grid, outer: bool = True) -> list[str]:
    lines = []
    for row in grid:
        body = " | ".join("" if spanned else text for text, spanned, _ in row)
        lines.append(f"| {body} |" if outer else body)
    return lines


def layout_markdown(grid: Grid) -> list[str]:
    lines = layout_pipes(grid)
    width = len(grid[0])
    return [lines[0], "|" + "---|" * width, *lines[1:]]


def render_text(ex: Example, layout: Callable[[Grid], list[str]], md: bool = False) -> str:
    """The whole report as text lines: title, preamble, headings, paragraphs, tables."""
    grids = ex.grids()
    out = [("# " if md else "") + ex.title, ""]
    out += [p for para in ex.preamble for p in (para, "")] if md else ex.preamble
    for sec in ex.sections:
        out += ["", "## " + sec.heading, ""] if md else [sec.heading]
        for block in sec.blocks:
            if block in grids:
                if md:
                    out.append("")
                out += layout(text_grid(ex, grids[block]))
                if md:
                    out.append("")
            elif block.startswith("## "):
                out += ["", "### " + block[3:], ""] if md else [block[3:]]
            else:
                out += [block, ""] if md else [block]
    text = "\n".join(out).strip("\n") + "\n"
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


# ---------------------------------------------------------------------------
# HTML portal page.
# ---------------------------------------------------------------------------

PORTAL_HEAD = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}_临澜市人民政府</title>
<meta name="keywords" content="政府信息公开,年度报告">
<style>
  body {{ font-family: "Microsoft YaHei", sans-serif; margin: 0; }}
  .header .logo::after {{ content: "临澜市人民政府门户网站"; }}
  .article h1 {{ font-size: 22px; text-align: center; }}
  table.MsoNormalTable td {{ border: 1px solid #000; padding: 2px 4px; }}
</style>
<script type="text/javascript">
  var _siteTitle = "临澜市人民政府门户网站";
  function changeFontSize(size) {{ document.getElementById("zoom").style.fontSize = size + "px"; }}
  document.write("<div class='tip'>您的浏览器版本太低，请升级后浏览本站</div>");
</script>
</head>
<body>
<div class="header">
  <div class="logo"><a href="/">临澜市人民政府</a></div>
  <div class="search"><form action="/search"><input type="text" name="q"><button>搜索</button></form></div>
  <div class="tools"><a href="#">无障碍浏览</a> <a href="#">长者模式</a> <a href="#">繁体版</a></div>
</div>
<nav class="mainnav">
  <ul>
    <li><a href="/">首页</a></li><li><a href="/zwdt/">政务动态</a></li><li><a href="/xxgk/">信息公开</a></li>
    <li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zjll/">走进临澜</a></li>
  </ul>
</nav>
<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; <a href="/xxgk/nb/">年报</a></div>
<div class="main clearfix">
  <div class="sidebar">
    <h3>政府信息公开</h3>
    <ul>
      <li><a href="/xxgk/zn/">政府信息公开指南</a></li>
      <li><a href="/xxgk/zd/">政府信息公开制度</a></li>
      <li><a href="/xxgk/fdzdgknr/">法定主动公开内容</a></li>
      <li><a href="/xxgk/nb/">政府信息公开年报</a></li>
      <li><a href="/xxgk/ysqgk/">依申请公开</a></li>
    </ul>
    <div class="side-contact">咨询电话：0000-3100000（工作日上午九点至下午五点）</div>
  </div>
  <div class="article">
    <h1>{title}</h1>
    <div class="info">发布时间：{date}　　来源：{source}　　<span class="fontsize">字号：<a
      href="javascript:changeFontSize(18)">大</a> <a href="javascript:changeFontSize(16)">中</a> <a
      href="javascript:changeFontSize(14)">小</a></span></div>
    <div class="TRS_Editor" id="zoom">
"""

PORTAL_TAIL = """    </div>
    <div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
    <div class="print-close"><a href="javascript:window.print()">【打印本页】</a>
      <a href="javascript:window.close()">【关闭窗口】</a></div>
  </div>
</div>
<div class="related-links">
  <h4>相关链接</h4>
  <a href="#">临澜市2021年政府信息公开工作年度报告</a> <a href="#">临澜市政府信息公开指南（2022年修订）</a>
</div>
<div class="footer">
  <p>主办单位：临澜市人民政府办公室　承办单位：临澜市大数据中心</p>
  <p>网站标识码：0000000000　ICP备案：某ICP备00000000号-1　公安机关备案号：00000000000000</p>
  <p>地址：临澜市政府大楼　联系电话：0000-3100000　建议使用1366×768分辨率浏览</p>
</div>
<script>
  (function () {{ var s = document.createElement("script"); s.src = "/stat.js"; document.body.appendChild(s); }})();
</script>
</body>
</html>
"""


def _html_cell_text(text: str) -> str:
    """Long labels split into two <p> after a comma, as Word-exported tables carry hard returns."""
    for mark in ("，", "、"):
        i = text.find(mark)
        if len(text) > 20 and 0 < i < len(text) - 1:
            return f"<p>{html.escape(text[: i + 1])}</p><p>{html.escape(text[i + 1:])}</p>"
    return html.escape(text)


def html_table(ex: Example, table: Table) -> str:
    rows = []
    for row in table:
        cells = []
        for cell in row:
            attrs = (f' rowspan="{cell.rs}"' if cell.rs > 1 else "") + (f' colspan="{cell.cs}"' if cell.cs > 1 else "")
            cells.append(f"<td{attrs}>{_html_cell_text(ex.cell_text(cell))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="100%">\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody>\n</table>")


def render_html(ex: Example, date: str) -> str:
    grids = ex.grids()
    body = [f'<p style="text-indent:2em">{html.escape(p)}</p>' for p in ex.preamble]
    for sec in ex.sections:
        body.append(f'<p style="text-indent:2em"><strong>{html.escape(sec.heading)}</strong></p>')
        for block in sec.blocks:
            if block in grids:
                body.append(html_table(ex, grids[block]))
            elif block.startswith("## "):
                body.append(f'<p style="text-indent:2em"><strong>{html.escape(block[3:])}</strong></p>')
            else:
                body.append(f'<p style="text-indent:2em">{html.escape(p) if (p := block) else ""}</p>')
    head = PORTAL_HEAD.format(title=ex.title, date=date, source=ex.issuer)
    return head + "\n".join("      " + line for line in "\n".join(body).split("\n")) + "\n" + PORTAL_TAIL.format()


# ---------------------------------------------------------------------------
# PDF (reportlab, built-in CID font STSong-Light; drawn grid tables).
# ---------------------------------------------------------------------------


def render_pdf(ex: Example, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = "STSong-Light"
    title_style = ParagraphStyle("t", fontName=font, fontSize=16, leading=24, alignment=TA_CENTER, spaceAfter=12)
    body_style = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=18, firstLineIndent=21, wordWrap="CJK")
    head_style = ParagraphStyle("h", parent=body_style, fontSize=11.5, spaceBefore=6)
    cell_style = ParagraphStyle("c", fontName=font, fontSize=7.5, leading=9.5, wordWrap="CJK", alignment=TA_CENTER)
    grids = ex.grids()
    widths = {
        "[T2]": [130, 128, 128, 128],
        "[T3]": [40, 62, 146, *[38] * 7],
        "[T4]": [514 / 15] * 15,
    }

    def rl_table(block: str) -> RLTable:
        table = grids[block]
        cells = expand(table)
        data = [[Paragraph(html.escape(ex.cell_text(c)), cell_style) if not spanned else "" for c, spanned, _ in row]
                for row in cells]
        style = [("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        for r, row in enumerate(cells):
            for c, (cell, spanned, _) in enumerate(row):
                if not spanned and (cell.rs > 1 or cell.cs > 1):
                    style.append(("SPAN", (c, r), (c + cell.cs - 1, r + cell.rs - 1)))
        out = RLTable(data, colWidths=widths[block], repeatRows=0)
        out.setStyle(TableStyle(style))
        return out

    story: list = [Paragraph(html.escape(ex.title), title_style)]
    story += [Paragraph(html.escape(p), body_style) for p in ex.preamble]
    for sec in ex.sections:
        if sec.key in ("requests", "review_litigation"):
            story.append(PageBreak())
        story.append(Paragraph(html.escape(sec.heading), head_style))
        for block in sec.blocks:
            if block in grids:
                story += [Spacer(1, 6), rl_table(block), Spacer(1, 8)]
            elif block.startswith("## "):
                story.append(Paragraph(html.escape(block[3:]), head_style))
            else:
                story.append(Paragraph(html.escape(block), body_style))
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=40, rightMargin=40, topMargin=50, bottomMargin=50,
                            title=ex.title, author=ex.issuer, invariant=1)

    def page_number(canvas, doc_) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 25, f"— {doc_.page} —")

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)


# ---------------------------------------------------------------------------
# DOCX (python-docx; merged cells as in the Word template).
# ---------------------------------------------------------------------------


def render_docx(ex: Example, path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    grids = ex.grids()

    def para(text: str, bold: bool = False, center: bool = False) -> None:
        p = document.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.font.size = Pt(18)

    para(ex.title, bold=True, center=True)
    for p in ex.preamble:
        para(p)
    for sec in ex.sections:
        para(sec.heading, bold=True)
        for block in sec.blocks:
            if block in grids:
                cells = expand(grids[block])
                table = document.add_table(rows=len(cells), cols=len(cells[0]))
                table.style = "Table Grid"
                # One position→cell lookup before merging (table.cell() rescans the whole table);
                # merges never overlap, so the positions used below stay valid.
                at = [row.cells for row in table.rows]
                for r, row in enumerate(cells):
                    for c, (cell, spanned, _) in enumerate(row):
                        if spanned:
                            continue
                        target = at[r][c]
                        if cell.rs > 1 or cell.cs > 1:
                            target = target.merge(at[r + cell.rs - 1][c + cell.cs - 1])
                        target.text = ex.cell_text(cell)
            elif block.startswith("## "):
                para(block[3:], bold=True)
            else:
                para(block)
    import datetime as dt

    props = document.core_properties
    props.author = props.last_modified_by = ex.issuer
    props.title = ex.title
    props.created = props.modified = dt.datetime(ex.year + 1, 1, 20, 9, 0, 0)
    props.revision = 1
    buf = io.BytesIO()
    document.save(buf)
    # Rewrite the package with fixed timestamps so the file is reproducible.
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 20, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))


# ---------------------------------------------------------------------------
# The examples. Prose is original; numbers in prose are declared as facts.
# ---------------------------------------------------------------------------

STD = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}


def ex_shuiwuju() -> Example:
    """Municipal water bureau, 2022, gov_2021, TAB tables; 一 has （一）…（五） blocks with 一是/二是."""
    ov = "overview"
    facts = [
        Fact("narrative.proactive.items_total", 3560, "条", "exact", "主动公开政府信息3560条", ov),
        Fact("narrative.proactive.policy_docs", 5, "件", "exact", "发布行政规范性文件5件", ov,
             "table2.normative_docs.issued"),
        Fact("narrative.interpretation.items", 46, "篇", "exact", "政策解读46篇", ov),
        Fact("narrative.interpretation.graphic", 18, "个", "exact", "图解18个", ov),
        Fact("narrative.interpretation.video", 7, "个", "exact", "视频解读7个", ov),
        Fact("narrative.press_conferences", 12, "场", "exact", "召开新闻发布会12场", ov),
        Fact("narrative.requests.received", 15, "件", "exact", "收到政府信息公开申请15件", ov,
             "table3.new_requests.total"),
        Fact("narrative.requests.completed", 14, "件", "exact", "办结14件", ov, "table3.results_total.total"),
        Fact("narrative.platform.website_posts", 1286, "条", "exact", "发布各类信息1286条", ov),
        Fact("narrative.special_columns.new", 2, "个", "exact", "2个专题专栏", ov),
        Fact("narrative.platform.weibo_posts", 845, "条", "exact", "政务微博发布信息845条", ov),
        Fact("narrative.platform.wechat_posts", 512, "条", "exact", "微信公众号发布信息512条", ov),
        Fact("narrative.platform.weibo_followers", 32000, "人", "at_least", "粉丝超过3.2万人", ov),
        Fact("narrative.staffing.dedicated_staff", 2, "名", "exact", "专职工作人员2名", ov),
        Fact("narrative.staffing.part_time_staff", 11, "名", "exact", "兼职信息员11名", ov),
        Fact("narrative.training.sessions", 4, "次", "exact", "开展培训4次", ov),
        Fact("narrative.training.participants", 120, "人次", "exact", "参训120人次", ov),
        Fact("narrative.supervision.checks", 12, "次", "exact", "自查12次", ov),
        Fact("narrative.supervision.issues_rectified", 30, "个", "approx", "整改问题近30个", ov),
        Fact("narrative.fees.info_processing_fee_yuan", 0, "元", "exact", "未收取信息处理费", "other"),
    ]
    tables = {
        **t2_2021([None, None, None], [5, 1, 23], 1260, 37, 4, 85.32),
        **t3_values("gov_2021", {
            "new_requests": [11, 2, 0, 0, 1, 1],
            "carried_over": [1, 0, 0, 0, 0, 0],
            "granted": [5, 1, 0, 0, 0, 1],
            "partially_granted": [1, 0, 0, 0, 1, 0],
            "denied_third_party": [1, 0, 0, 0, 0, 0],
            "unable_not_held": [1, 0, 0, 0, 0, 0],
            "not_processed_confirm_reissue": [1, 0, 0, 0, 0, 0],
            "other_no_correction": [1, 0, 0, 0, 0, 0],
            "other_fee_unpaid": [1, 0, 0, 0, 0, 0],
        }),
        **t4_values([1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 0]),
    }
    return Example(
        file="2021_shi_shuiwuju.txt", issuer="岚川市水务局", year=2022, format_id="gov_2021",
        title="岚川市水务局2022年政府信息公开工作年度报告",
        preamble=[
            "本报告依照《中华人民共和国政府信息公开条例》第五十条的要求，由岚川市水务局汇总本局机关及所属事业单位的"
            "年度工作情况编制而成。报告分六个部分，依次说明总体工作、主动公开、依申请公开、复议诉讼、问题整改和其他事项。"
            "报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。本报告电子版可在岚川市水务局网站"
            "（http://slj.lanchuan.example.cn）“年度报告”栏目下载。对本报告如有疑问，请与岚川市水务局办公室联系"
            "（地址：岚川市滨江路88号，电话：0000-6123456）。",
        ],
        sections=[
            Section("overview", STD["overview"], [
                "2022年，岚川市水务局把政务公开作为依法治水的一项基础工作，围绕防汛抗旱、城乡供水、河湖管护等群众"
                "关心的事项扩大公开范围，提高公开质量。",
                "## （一）主动公开",
                "一是按时公开法定内容。全年主动公开政府信息3560条，其中机构职能、财政预决算、重点水利项目等法定内容"
                "412条。二是做好政策发布和解读。全年发布行政规范性文件5件，均同步发布解读材料，并以图解、短视频等形式"
                "制作政策解读46篇，其中图解18个、视频解读7个。三是做实汛期信息发布。汛期召开新闻发布会12场，通过短信、"
                "应急广播等渠道发布雨情水情预警270余条。",
                "## （二）依申请公开",
                "一是规范受理流程。全年共收到政府信息公开申请15件，比上年减少3件，申请内容主要涉及取水许可、水利工程"
                "征地补偿和排水管网建设。二是依法按时答复。本年度办结14件（含上年结转的1件），另有2件因需征求第三方"
                "意见结转至2023年办理，所有答复均未超过法定期限。",
                "## （三）政府信息管理",
                "一是开展文件清理。对现行有效的行政规范性文件逐件评估，废止1件、修改2件，清理结果已向社会公布。二是严格"
                "发布审查。坚持先审后发，全年未发生因信息发布不当引发的负面舆情。",
                "## （四）政府信息公开平台建设",
                "一是优化网站专栏。门户网站全年发布各类信息1286条，新开设“城乡供水一体化”“河湖长制在岚川”2个专题专栏。"
                "二是用好政务新媒体。“岚川水务”政务微博发布信息845条，微信公众号发布信息512条，微博粉丝超过3.2万人。",
                "## （五）监督保障",
                "一是压实工作责任。调整政务公开工作领导小组，局办公室配备专职工作人员2名，各科室和直属单位明确兼职"
                "信息员11名。二是加强业务培训。全年开展培训4次、参训120人次，重点讲解答复文书的规范写法。三是强化日常"
                "监测。每月对网站和新媒体开展自查，全年自查12次，发现并整改问题近30个。本年度未发生政府信息公开工作"
                "责任追究情况。",
            ]),
            Section("proactive", STD["proactive"], [
                "本局没有规章制定权，下表规章一栏未填写。", "[T2]"]),
            Section("requests", STD["requests"], ["下表单位为件。", "[T3]"]),
            Section("review_litigation", STD["review_litigation"], ["下表单位为件。", "[T4]"]),
            Section("problems", STD["problems"], [
                "2022年的工作还有不足：一是部分业务科室对公开属性的认定把握不准，个别信息公开不够及时；二是政策解读"
                "形式较为单一，与群众的互动不多。2023年，我局将重点做好以下工作：一是修订本局政府信息公开指南和目录，"
                "逐项明确公开责任人；二是增加问答式、场景式解读，及时回应群众对供水价格调整的关切；三是把政务公开纳入"
                "科室年度考核。上年度报告提出的网站栏目更新不及时问题，已通过建立每周检查制度完成整改。",
            ]),
            Section("other", STD["other"], [
                "本年度本局未收取信息处理费。无其他需要报告的事项。",
            ]),
        ],
        tables=tables, facts=facts,
        # The bureau's Word file retypes the template tables (see label_variants).
        t2_kwargs={"header": "caption"}, t3_header="single", t4_header="flat",
        labels=[
            ("之和，等于", "之和,等于"),
            ("区分处理的，", "区分处理的,"), ("情形，不计", "情形,不计"),
            ("不补正、行政机关", "不补正,行政机关"), ("缴纳费用、行政机关", "缴纳费用,行政机关"),
            ("本年收费金额（单位：万元）", "本年收费金额(单位:万元)"),
            ("二、上年结转", "二、上年转结"),
            *((f"{i}.", f"{chr(0xFF10 + i)}．") for i in range(1, 9)),
        ],
        label_variants=[
            "Table 2: each block's 第二十条第（X）项 caption sits in the header's first cell instead of 信息内容; "
            "the 规章 row is left blank (null)",
            "Table 3: one header row (自然人 … 其他, 总计) instead of three; note and long labels mix half-width commas",
            "Table 3: 上年转结 for 上年结转; sub-row numbers typed full-width (１．…８．)",
            "Table 4: one header row of joined paths (行政复议/结果维持 … 行政诉讼/复议后起诉/总计)",
            "Table 2: 本年收费金额(单位:万元) with half-width punctuation",
        ],
    )


def ex_xian_gbk() -> Example:
    """County government, 2020, gov_2019, GBK, one-cell-per-line tables; 一 re-uses 一、二、三 sub-headings.

    Deliberate inconsistency: Table 3 （七）总计/总计 printed 28, components add up to 27.
    """
    ov = "overview"
    facts = [
        Fact("narrative.proactive.items_total", 2180, "条", "approx", "主动公开政府信息2180余条", ov),
        Fact("narrative.platform.website_posts", 1650, "条", "exact", "门户网站发布信息1650条", ov),
        Fact("narrative.platform.wechat_posts", 436, "条", "exact", "推送信息436条", ov),
        Fact("narrative.press_conferences", 8, "场", "exact", "召开新闻发布会8场", ov),
        Fact("narrative.public_response.events", 23, "次", "exact", "回应群众关切事项23次", ov),
        Fact("narrative.requests.received", 26, "件", "exact", "受理政府信息公开申请26件", ov,
             "table3.new_requests.total"),
        Fact("narrative.review.count", 3, "件", "exact", "行政复议3件", ov, "table4.review.total"),
        Fact("narrative.litigation.count", 3, "件", "exact", "行政诉讼3件", ov),
        Fact("narrative.training.sessions", 1, "期", "exact", "一期", ov),
    ]
    tables = {
        **t2_2019([0, 0, 0], [9, 9, 64], [186, -12, 2210], [45, 3, 612], [58, 0, 143], [9, 0, 6], [21, -2],
                  [37, 18650000]),
        **t3_values("gov_2019", {
            "new_requests": [21, 3, 0, 0, 1, 1],
            "carried_over": [2, 0, 0, 0, 0, 0],
            "granted": [14, 2, 0, 0, 0, 1],
            "partially_granted": [2, 0, 0, 0, 0, 0],
            "denied_process_info": [1, 0, 0, 0, 0, 0],
            "unable_not_held": [3, 1, 0, 0, 0, 0],
            "unable_unclear": [1, 0, 0, 0, 0, 0],
            "not_processed_petition": [1, 0, 0, 0, 0, 0],
            "other": [1, 0, 0, 0, 0, 0],
        }, overrides={"table3.results_total.total": 28}),
        **t4_values([2, 1, 0, 0], [1, 0, 0, 1], [1, 0, 0, 0]),
    }
    return Example(
        file="2020_xian_gbk.txt", issuer="桐岭县人民政府", year=2020, format_id="gov_2019",
        title="桐岭县人民政府2020年政府信息公开工作年度报告",
        preamble=[
            "根据《中华人民共和国政府信息公开条例》的规定，桐岭县人民政府办公室在汇总县政府各部门、各乡镇年度"
            "工作情况的基础上编写了本报告。报告中的统计数据时间范围为2020年1月1日至12月31日。本报告可在桐岭县人民"
            "政府门户网站（http://www.tongling-x.example.cn）查阅和下载。对本报告如有疑问，请联系桐岭县人民政府"
            "办公室（电话：0000-7654321）。",
        ],
        sections=[
            Section("overview", STD["overview"], [
                "2020年，桐岭县在做好疫情防控信息发布的同时，统筹推进各领域政府信息公开，全县主动公开政府信息2180余条，"
                "各项工作有序开展。",
                "## 一、加强组织领导，夯实工作基础",
                "县政府常务会议两次专题研究政务公开工作，调整充实了县政务公开工作领导小组。各乡镇、县直各部门均明确"
                "一名分管领导和一名工作人员负责具体工作，形成了上下贯通的工作网络。",
                "## 二、围绕群众关切，抓实重点领域公开",
                "围绕疫情防控、复工复产、脱贫攻坚等重点工作，县政府门户网站发布信息1650条，“桐岭发布”微信公众号推送信息"
                "436条。县政府召开新闻发布会8场，通报疫情防控和复工复产进展。对社会关注的农村危房改造补助政策，及时发布"
                "解读材料，全年回应群众关切事项23次。",
                "## 三、完善工作机制，提升公开质效",
                "全年受理政府信息公开申请26件，加上年结转的2件，除1件结转至2021年继续办理外，均在法定期限内作出答复。"
                "因政府信息公开工作被申请行政复议3件、提起行政诉讼3件，县政府均依法答复和应诉。11月举办了一期全县"
                "政务公开业务培训，各乡镇、各部门信息公开工作人员参加。",
            ]),
            Section("proactive", STD["proactive"], ["[T2]"]),
            Section("requests", STD["requests"], ["[T3]"]),
            Section("review_litigation", STD["review_litigation"], ["[T4]"]),
            Section("problems", STD["problems"], [
                "（一）存在的问题。部分乡镇公开栏目内容更新慢，政策解读偏重文字转载，基层工作人员更换频繁、业务不够熟悉。",
                "（二）改进措施。一是建立乡镇公开栏目月度通报制度；二是推动部门主要负责人参与政策解读；三是把政务公开"
                "培训纳入全县干部教育培训计划，明年计划组织两次。",
            ]),
            Section("other", STD["other"], ["无。"]),
        ],
        tables=tables, facts=facts,
        unbalanced=[
            "table3.results_total.total is printed as 28 but its components add up to 27: the six applicant cells of "
            "（七）总计 sum to 27 and the result rows' 总计 column sums to 27; so the row identity of results_total, "
            "the results_total column identity on total, and the printed 勾稽关系 on total "
            "(new_requests 26 + carried_over 2 = 28 vs results_total 28 + carried_forward 1 = 29) fail; "
            "all applicant columns balance.",
        ],
    )


def ex_qu_legacy() -> Example:
    """District government, 2016, legacy prose report with a statistics annex and a web-page footer."""
    facts = [
        Fact("narrative.training.sessions", 3, "期", "exact", "举办业务培训3期", "overview"),
        Fact("narrative.training.participants", 150, "人次", "exact", "150人次", "overview"),
        Fact("narrative.proactive.items_total", 1234, "条", "exact", "主动公开政府信息1,234条", "proactive"),
        Fact("narrative.proactive.policy_docs", 41, "件", "exact", "文件41件", "proactive"),
        Fact("narrative.platform.website_posts", 1102, "条", "exact", "门户网站公开1,102条", "proactive"),
        Fact("narrative.platform.new_media_posts", 920, "条", "exact", "共发布信息920条", "proactive"),
        Fact("narrative.platform.weibo_posts", 560, "条", "exact", "微博560条", "proactive"),
        Fact("narrative.platform.wechat_posts", 360, "条", "exact", "微信360条", "proactive"),
        Fact("narrative.press_conferences", 4, "次", "exact", "召开新闻发布会4次", "proactive"),
        Fact("narrative.public_response.events", 6, "次", "exact", "回应社会关注热点6次", "proactive"),
        Fact("narrative.requests.received", 15, "件", "exact", "受理政府信息公开申请15件", "requests"),
        Fact("narrative.fees.legacy_fee_yuan", 0, "元", "exact", "未向申请人收取", "legacy_fees"),
        Fact("narrative.review.count", 1, "件", "exact", "行政复议1件", "review_litigation"),
        Fact("narrative.litigation.count", 0, "件", "exact", "未发生因政府信息公开引起的行政诉讼", "review_litigation"),
    ]
    stats = [
        ("主动公开政府信息数", "条", 1234),
        ("其中：主动公开规范性文件数", "条", 12),
        ("政府公报公开政府信息数", "条", 48),
        ("政府网站公开政府信息数", "条", 1102),
        ("政务微博公开政府信息数", "条", 560),
        ("政务微信公开政府信息数", "条", 360),
        ("回应公众关注热点或重大舆情数", "次", 6),
        ("召开新闻发布会次数", "次", 4),
        ("收到政府信息公开申请数", "件", 15),
        ("行政复议数量", "件", 1),
        ("行政诉讼数量", "件", 0),
        ("举报投诉数量", "件", 0),
        ("从事政府信息公开工作人员数", "人", 6),
        ("政府信息公开专项经费", "万元", 3.5),
        ("召开政府信息公开会议次数", "次", 2),
        ("举办各类培训班次数", "次", 3),
        ("接受培训人员数", "人次", 150),
    ]
    return Example(
        file="2016_qu_legacy.txt", issuer="柳湾区人民政府", year=2016, format_id="legacy_2008",
        title="柳湾区人民政府2016年政府信息公开工作年度报告",
        preamble=[
            "本报告根据《中华人民共和国政府信息公开条例》和上级关于政府信息公开工作的部署编制，由概述、主动公开、"
            "依申请公开、收费及减免、复议和诉讼、存在问题和改进措施、其他事项七部分组成。本报告统计期限为2016年1月1日"
            "至2016年12月31日。",
        ],
        sections=[
            Section("overview", "一、概述", [
                "2016年，柳湾区以政务公开标准化为抓手，完善工作制度，拓展公开渠道，政府信息公开工作平稳推进。区政府"
                "办公室是全区政府信息公开工作的主管部门，下设政务公开科，配备工作人员6名。全年召开政府信息公开工作"
                "会议2次，举办业务培训3期，培训各部门、各街道工作人员150人次。",
            ]),
            Section("proactive", "二、主动公开政府信息情况", [
                "全年主动公开政府信息1,234条，其中区政府及区政府办公室文件41件。从公开渠道看，通过区政府门户网站公开"
                "1,102条，通过《柳湾政报》公开48条；政务微博、政务微信共发布信息920条，其中微博560条、微信360条。"
                "全年召开新闻发布会4次，回应社会关注热点6次。",
            ]),
            Section("requests", "三、依申请公开政府信息情况", [
                "全年共受理政府信息公开申请15件，其中当面申请3件、网上申请10件、信函申请2件。已全部按期答复，其中同意"
                "公开11件，同意部分公开2件，不予公开1件，信息不存在1件。申请内容主要集中在房屋征收补偿、城市规划调整"
                "等方面。",
            ]),
            Section("legacy_fees", "四、政府信息公开的收费及减免情况", [
                "本年度办理政府信息公开申请，未向申请人收取检索、复制、邮寄等任何费用，也未发生减免收费的情况。",
            ]),
            Section("review_litigation", "五、因政府信息公开引起的行政复议和行政诉讼情况", [
                "2016年，全区发生因政府信息公开申请引起的行政复议1件，经复议维持原答复；未发生因政府信息公开引起的行政诉讼。",
            ]),
            Section("problems", "六、存在问题和改进措施", [
                "我区政府信息公开工作仍有薄弱环节：个别部门公开意识不强，信息更新不及时；依申请公开办理程序还需进一步"
                "规范。下一步，我区将重点抓好三个方面：一是加大督查力度，每季度通报各部门信息更新情况；二是修订依申请"
                "公开办理规程，统一答复文书格式；三是继续开展业务培训，提高工作人员的业务水平。",
            ]),
            Section("other", "七、其他需要报告的事项", [
                "本年度无其他需要报告的事项。",
            ]),
        ],
        tables={}, facts=facts, legacy_stats=stats,
    )


def render_legacy(ex: Example) -> str:
    """Legacy prose, then the statistics annex (label TAB unit TAB value), then the page footer chrome."""
    text = render_text(ex, layout_tabs).rstrip("\n")
    annex = ["", "附件", "柳湾区2016年政府信息公开情况统计表", "统计指标\t单位\t数量"]
    annex += [f"{label}\t{unit}\t{value:g}" for label, unit, value in ex.legacy_stats]
    chrome = ["", "【打印本页】　【关闭窗口】", "扫一扫在手机上查看当前页面"]
    return text + "\n" + "\n".join(annex + chrome) + "\n"


# Hand-made Taiwan-style wording and pinyin glosses inserted after OpenCC s2tw: (converted phrase, replacement).
TRADITIONAL_EDITS = [
    ("歷年印發的文件", "歷年印發的檔案"),
    ("網絡安全", "網路安全"),
    ("縣政府門戶網站", "縣政府入口網站"),
    ("群眾滿意率", "民眾滿意率"),
    ("提高政務公開的", "提高政務(wù)公開(kāi)的"),
    ("便民服務", "便民服務(wù)"),
]


def ex_traditional() -> Example:
    """County government, 2020, gov_2019 in traditional script with pipe-row tables and blank cells."""
    ov = "overview"
    facts = [
        Fact("narrative.proactive.items_total", 4870, "条", "exact", "主动公开政府信息4870条", ov),
        Fact("narrative.proactive.policy_docs", 7, "件", "exact", "规范性文件7件", ov,
             "table2.normative_docs.new_made"),
        Fact("narrative.platform.website_posts", 3920, "条", "exact", "县政府门户网站发布信息3920条", ov),
        Fact("narrative.platform.weibo_posts", 1120, "条", "exact", "政务微博发布信息1120条", ov),
        Fact("narrative.platform.wechat_posts", 680, "条", "exact", "政务微信发布信息680条", ov),
        Fact("narrative.requests.received", 9, "件", "exact", "收到政府信息公开申请9件", ov,
             "table3.new_requests.total"),
        Fact("narrative.requests.response_rate_pct", 100, "%", "exact", "答复率100%", ov),
        Fact("narrative.supervision.checks", 12, "次", "exact", "检查12次", ov),
        Fact("narrative.supervision.notices", 4, "份", "exact", "通报4份", ov),
        Fact("narrative.training.sessions", 2, "次", "exact", "培训两次", ov),
        Fact("narrative.training.participants", 200, "人次", "approx", "近200人次", ov),
        Fact("narrative.requests.satisfaction_pct", 98, "%", "exact", "群众满意率达到98%", ov),
    ]
    tables = {
        **t2_2019([0, 0, 0], [7, 7, 52], [312, 5, 1875], [88, -4, 403], [96, 2, 221], [14, 0, 9], [18, -1],
                  [22, 9864500]),
        **t3_values("gov_2019", {
            "new_requests": [7, 1, 0, 0, 1, 0],
            "granted": [5, None, None, None, None, None],
            "partially_granted": [0, 1, 0, 0, 0, 0],
            "unable_not_held": [1, 0, 0, 0, 1, 0],
            "not_processed_duplicate": [1, 0, 0, 0, 0, 0],
        }),
        **t4_values([0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]),
    }
    return Example(
        file="2020_traditional.txt", issuer="澄溪县人民政府", issuer_raw="澄溪縣人民政府", year=2020,
        format_id="gov_2019", script="traditional",
        title="澄溪县人民政府2020年政府信息公开工作年度报告",
        preamble=[
            "本报告由澄溪县人民政府办公室编制，编制依据为《中华人民共和国政府信息公开条例》第五十条，所列数据的"
            "统计期间为2020年1月1日至12月31日。",
        ],
        sections=[
            Section("overview", STD["overview"], [
                "2020年，澄溪县紧扣“六稳”“六保”任务推进政府信息公开，着力提高政务公开的针对性和实效性。",
                "（一）主动公开。全县全年主动公开政府信息4870条，其中规范性文件7件，并对历年印发的文件开展了一次集中"
                "清理。县政府门户网站发布信息3920条，政务微博发布信息1120条，政务微信发布信息680条。",
                "（二）依申请公开。全年收到政府信息公开申请9件，均在规定时限内答复，答复率100%。",
                "（三）平台建设。加强网络安全防护，建立网站信息发布审核台账，全年开展网站检查12次，发布检查通报4份。"
                "在县便民服务中心设置政府信息查阅点，方便群众就近查阅。",
                "（四）监督保障。全年举办政务公开培训两次，参训人员近200人次；在年终的评议中，群众满意率达到98%。",
            ]),
            Section("proactive", STD["proactive"], ["[T2]"]),
            Section("requests", STD["requests"], ["[T3]"]),
            Section("review_litigation", STD["review_litigation"], ["[T4]"]),
            Section("problems", "五、政府信息公开工作存在的主要问题及改进情况", [
                "一是部分单位对依申请公开的答复文书不够规范；二是政策解读的数量偏少、形式单一。下一步，县政府将统一答复"
                "文书范本，组织部门负责人参与政策解读，并每半年通报一次各单位公开情况。",
            ]),
            Section("other", STD["other"], ["无。"]),
        ],
        tables=tables, facts=facts,
        printed={"table2.central_procurement.amount_yuan": "986.45"},
        t2_kwargs={"procurement_header": "采购总金额/万元"},
    )


def ex_portal() -> Example:
    """City government office, 2022, gov_2021, saved portal page with template-exact HTML tables."""
    ov = "overview"
    facts = [
        Fact("narrative.proactive.items_total", 5127, "条", "exact", "主动公开政府信息5127条", ov),
        Fact("narrative.proactive.policy_docs", 14, "件", "exact", "印发行政规范性文件14件", ov,
             "table2.normative_docs.issued"),
        Fact("narrative.interpretation.items", 63, "篇", "exact", "政策解读稿件63篇", ov),
        Fact("narrative.press_conferences", 21, "场", "exact", "新闻发布会21场", ov),
        Fact("narrative.gazette.issues", 12, "期", "exact", "《临澜市人民政府公报》12期", ov),
        Fact("narrative.gazette.copies_per_issue", 2000, "份", "approx", "每期印发2000余份", ov),
        Fact("narrative.platform.wechat_users", 80000, "人", "at_least", "关注用户超过8万人", ov),
        Fact("narrative.requests.received", 48, "件", "exact", "收到政府信息公开申请48件", ov,
             "table3.new_requests.total"),
        Fact("narrative.requests.completed", 49, "件", "exact", "办结49件", ov, "table3.results_total.total"),
        Fact("narrative.platform.sites_monitored", 31, "个", "exact", "31个政府网站", ov),
        Fact("narrative.platform.new_media_monitored", 87, "个", "exact", "87个政务新媒体", ov),
        Fact("narrative.supervision.notices", 4, "期", "exact", "通报4期", ov),
        Fact("narrative.training.sessions", 2, "期", "exact", "两期", ov),
        Fact("narrative.training.participants", 320, "人次", "approx", "320余人次", ov),
        Fact("narrative.fees.info_processing_fee_yuan", 240, "元", "exact", "收取信息处理费240元", "other"),
    ]
    tables = {
        **t2_2021([1, 0, 18], [14, 6, 127], 312, 0, 0, 0),
        **t3_values("gov_2021", {
            "new_requests": [36, 7, 1, 0, 2, 2],
            "carried_over": [3, 1, 0, 0, 0, 0],
            "granted": [18, 3, 1, 0, 1, 1],
            "partially_granted": [5, 1, 0, 0, 0, 0],
            "denied_internal_affairs": [1, 0, 0, 0, 0, 0],
            "denied_process_info": [2, 0, 0, 0, 0, 0],
            "unable_not_held": [6, 1, 0, 0, 1, 0],
            "unable_need_creation": [1, 0, 0, 0, 0, 0],
            "unable_unclear": [1, 0, 0, 0, 0, 0],
            "not_processed_petition": [2, 0, 0, 0, 0, 0],
            "not_processed_duplicate": [1, 1, 0, 0, 0, 0],
            "other_no_correction": [1, 0, 0, 0, 0, 0],
            "other_misc": [0, 0, 0, 0, 0, 1],
        }),
        **t4_values([3, 1, 0, 1], [2, 0, 1, 0], [1, 0, 0, 0]),
    }
    return Example(
        file="2022_portal_page.html", issuer="临澜市人民政府办公室", year=2022, format_id="gov_2021",
        title="临澜市人民政府办公室2022年政府信息公开工作年度报告",
        preamble=[
            "本报告由临澜市人民政府办公室依据《中华人民共和国政府信息公开条例》编制，报告中所列数据的统计期限为"
            "2022年1月1日至12月31日。如对本报告有疑问，请与临澜市政务公开办公室联系（电话：0000-3100000）。",
        ],
        sections=[
            Section("overview", STD["overview"], [
                "## （一）主动公开",
                "全年主动公开政府信息5127条。市政府及市政府办公室印发行政规范性文件14件，全部在市政府网站“政策文件”"
                "栏目集中发布；围绕稳经济、助企纾困等政策，发布政策解读稿件63篇，召开新闻发布会21场。编印《临澜市人民"
                "政府公报》12期，每期印发2000余份，免费送达各镇（街道）、村（社区）和公共阅览场所。",
                "## （二）依申请公开",
                "全年收到政府信息公开申请48件，加上上年结转的4件，共办结49件，另有3件结转下年度办理。与上年相比，"
                "涉及房屋征收和土地规划的申请明显增多。",
                "## （三）政府信息管理",
                "建立政策文件库，对市政府及市政府办公室现行有效的行政规范性文件实行目录化管理，全年废止6件。",
                "## （四）政府信息公开平台建设",
                "市政府网站改版上线“政务公开”专区，“临澜发布”微信公众号关注用户超过8万人。按季度对全市31个政府网站"
                "和87个政务新媒体开展检查，印发检查情况通报4期。",
                "## （五）监督保障",
                "将政务公开纳入全市高质量发展考核。举办全市政务公开培训班两期，培训各级工作人员320余人次。",
            ]),
            Section("proactive", STD["proactive"], ["[T2]"]),
            Section("requests", STD["requests"], ["[T3]"]),
            Section("review_litigation", STD["review_litigation"], ["[T4]"]),
            Section("problems", STD["problems"], [
                "一是个别部门公开内容更新不够及时，二是部分答复的说理不够充分。下一步，我们将建立依申请公开答复"
                "会商机制，加强对重点领域公开内容的日常检查，确保信息发布及时准确。",
            ]),
            Section("other", STD["other"], [
                "本年度依据有关规定，对1件申请收取信息处理费240元。无其他需要报告的事项。",
            ]),
        ],
        tables=tables, facts=facts,
    )


def ex_zhen_pdf() -> Example:
    """Town government, 2023, gov_2021, PDF; 五 split into （一）问题 / （二）措施 sub-headings."""
    ov = "overview"
    facts = [
        Fact("narrative.proactive.items_total", 286, "条", "exact", "主动公开政府信息286条", ov),
        Fact("narrative.platform.website_posts", 214, "条", "exact", "发布信息214条", ov),
        Fact("narrative.platform.wechat_posts", 95, "条", "exact", "公众号发布信息95条", ov),
        Fact("narrative.standardization.catalog_items", 38, "条", "exact", "公开事项目录38条", ov),
        Fact("narrative.requests.received", 3, "件", "exact", "收到政府信息公开申请3件", ov,
             "table3.new_requests.total"),
        Fact("narrative.requests.completed", 3, "件", "exact", "办结3件", ov, "table3.results_total.total"),
        Fact("narrative.training.sessions", 1, "次", "exact", "一次专题培训", ov),
        Fact("narrative.training.participants", 60, "人次", "approx", "60余人次", ov),
        Fact("narrative.fees.info_processing_fee_yuan", 0, "元", "exact", "未收取信息处理费", "other"),
    ]
    tables = {
        **t2_2021([0, 0, 0], [0, 0, 0], 15, 6, 0, 0),
        **t3_values("gov_2021", {
            "new_requests": [3, 0, 0, 0, 0, 0],
            "granted": [2, 0, 0, 0, 0, 0],
            "unable_not_held": [1, 0, 0, 0, 0, 0],
        }),
        **t4_values([0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]),
    }
    return Example(
        file="2023_zhen_report.pdf", issuer="桐岭县石埠镇人民政府", year=2023, format_id="gov_2021",
        title="桐岭县石埠镇人民政府2023年政府信息公开工作年度报告",
        preamble=[
            "本报告根据《中华人民共和国政府信息公开条例》第五十条编制，统计期限为2023年1月1日至2023年12月31日。"
            "本报告在桐岭县人民政府门户网站石埠镇专栏公布，如有疑问请与石埠镇党政综合办公室联系。",
        ],
        sections=[
            Section("overview", STD["overview"], [
                "2023年，石埠镇围绕乡村振兴、民生保障和安全生产等重点工作，做好镇级政府信息公开。全年主动公开政府信息"
                "286条，其中通过县政府门户网站石埠镇专栏发布信息214条，“石埠微讯”公众号发布信息95条，村务公开栏同步"
                "张贴涉及群众切身利益的事项。",
                "对照县里印发的基层政务公开标准目录，梳理本镇公开事项目录38条，逐条明确公开时限和责任人。",
                "全年收到政府信息公开申请3件，均为自然人申请，办结3件，均在法定期限内答复。",
                "镇党政综合办公室安排1名工作人员负责信息公开工作。9月组织全镇机关干部和村（社区）干部开展一次专题培训，"
                "参训60余人次。",
            ]),
            Section("proactive", STD["proactive"], ["本部分数据见下表。", "[T2]"]),
            Section("requests", STD["requests"], ["[T3]"]),
            Section("review_litigation", STD["review_litigation"], ["[T4]"]),
            Section("problems", STD["problems"], [
                "## （一）存在的主要问题",
                "镇专栏部分栏目更新不及时；村级公开内容与镇级栏目衔接不够；工作人员多为兼职，业务能力有待提高。",
                "## （二）改进措施",
                "一是每月检查一次镇专栏更新情况；二是统一村务公开栏的内容和格式；三是争取参加县级业务培训，提高"
                "工作人员的答复水平。",
            ]),
            Section("other", STD["other"], ["本年度未收取信息处理费，无其他需要报告的事项。"]),
        ],
        tables=tables, facts=facts,
    )


def ex_bureau_docx() -> Example:
    """Municipal market regulation bureau, 2024, gov_2021, DOCX; heading variants in 四 and 五."""
    ov = "overview"
    facts = [
        Fact("narrative.proactive.items_total", 7400, "条", "approx", "主动公开政府信息7,400余条", ov),
        Fact("narrative.interpretation.items", 32, "篇", "exact", "政策解读32篇", ov),
        Fact("narrative.press_conferences", 6, "场", "exact", "新闻发布会6场", ov),
        Fact("narrative.public_response.events", 17, "次", "exact", "回应社会关切17次", ov),
        Fact("narrative.platform.weibo_posts", 1532, "条", "exact", "政务微博发布信息1,532条", ov),
        Fact("narrative.platform.wechat_posts", 618, "条", "exact", "微信公众号发布信息618条", ov),
        Fact("narrative.consultation.rounds", 9, "次", "exact", "公开征求意见9次", ov),
        Fact("narrative.requests.received", 132, "件", "exact", "收到政府信息公开申请132件", ov,
             "table3.new_requests.total"),
        Fact("narrative.requests.completed", 125, "件", "exact", "办结125件", ov, "table3.results_total.total"),
        Fact("narrative.review.count", 8, "件", "exact", "行政复议8件", ov, "table4.review.total"),
        Fact("narrative.litigation.count", 5, "件", "exact", "行政诉讼5件", ov),
        Fact("narrative.staffing.has_dedicated_staff", True, None, "exact", "安排专人", ov),
        Fact("narrative.training.sessions", 3, "场", "exact", "专题培训3场", ov),
        Fact("narrative.training.participants", 260, "人次", "at_least", "超过260人次", ov),
        Fact("narrative.fees.info_processing_fee_yuan", 360, "元", "exact", "信息处理费360元", "other"),
    ]
    tables = {
        **t2_2021([0, 0, 0], [3, 2, 15], 18460, 1275, 96, 1203.5614),
        **t3_values("gov_2021", {
            "new_requests": [98, 24, 0, 1, 6, 3],
            "carried_over": [5, 2, 0, 0, 0, 0],
            "granted": [40, 9, 0, 1, 2, 1],
            "partially_granted": [12, 3, 0, 0, 1, 0],
            "denied_third_party": [3, 1, 0, 0, 0, 0],
            "denied_enforcement_file": [2, 0, 0, 0, 0, 0],
            "denied_admin_query": [1, 0, 0, 0, 0, 0],
            "unable_not_held": [18, 5, 0, 0, 2, 1],
            "unable_unclear": [4, 1, 0, 0, 0, 0],
            "not_processed_petition": [9, 2, 0, 0, 0, 0],
            "not_processed_confirm_reissue": [1, 0, 0, 0, 0, 0],
            "other_no_correction": [3, 1, 0, 0, 0, 0],
            "other_fee_unpaid": [1, 0, 0, 0, 0, 0],
            "other_misc": [1, 0, 0, 0, 0, 0],
        }),
        **t4_values([4, 1, 1, 2], [2, 0, 0, 1], [1, 1, 0, 0]),
    }
    return Example(
        file="2024_bureau_report.docx", issuer="岚川市市场监督管理局", year=2024, format_id="gov_2021",
        title="岚川市市场监督管理局2024年政府信息公开工作年度报告",
        preamble=[
            "按照《中华人民共和国政府信息公开条例》规定，现将岚川市市场监督管理局2024年政府信息公开工作情况报告如下。"
            "本报告统计期限为2024年1月1日至12月31日，电子版可在岚川市人民政府网站本局信息公开专栏下载。",
        ],
        sections=[
            Section("overview", STD["overview"], [
                "2024年，我局围绕优化营商环境、守牢食品药品安全底线，推进市场监管领域政务公开。全年主动公开政府信息"
                "7,400余条，以“双随机、一公开”抽查结果、行政处罚决定和食品安全抽检结果为主。发布政策解读32篇，"
                "召开新闻发布会6场，围绕预付式消费、电动自行车质量等热点回应社会关切17次。政务微博发布信息1,532条，"
                "微信公众号发布信息618条。起草涉企政策时公开征求意见9次。",
                "全年收到政府信息公开申请132件，上年结转7件，办结125件，14件结转下年度。申请数量较上年增长约三成，"
                "多与投诉举报处理结果有关。因政府信息公开被申请行政复议8件、提起行政诉讼5件。",
                "局办公室安排专人负责政务公开日常工作，各业务处室确定一名联络员。全年组织政务公开专题培训3场，"
                "参加培训的干部超过260人次。",
            ]),
            Section("proactive", STD["proactive"], ["[T2]"]),
            Section("requests", STD["requests"], ["[T3]"]),
            Section("review_litigation", "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况", ["[T4]"]),
            Section("problems", "五、政府信息公开工作存在的主要问题及改进情况", [
                "存在的问题：一是行政处罚信息公开后的动态调整不够及时；二是对申请人的释法说理还不够充分，复议和诉讼"
                "数量偏多。",
                "改进措施：一是建立处罚信息公示期满自动提醒机制；二是对疑难申请实行法制机构提前审核；三是编写答复"
                "常见问题手册，提高答复质量。",
            ]),
            Section("other", STD["other"], [
                "本年度按照国务院办公厅有关收费办法，对2件超出合理范围的申请收取信息处理费360元。无其他需要报告的事项。",
            ]),
        ],
        tables=tables, facts=facts,
        printed={"table2.admin_fees.amount_wan_yuan": "1203.5614"},
    )


def ex_markdown() -> Example:
    """County transport bureau, 2021, gov_2021, markdown with pipe tables."""
    ov = "overview"
    facts = [
        Fact("narrative.proactive.items_total", 1046, "条", "exact", "主动公开政府信息1046条", ov),
        Fact("narrative.platform.website_posts", 689, "条", "exact", "网站发布信息689条", ov),
        Fact("narrative.platform.new_media_posts", 357, "条", "exact", "政务新媒体发布信息357条", ov),
        Fact("narrative.press_conferences", 3, "场", "exact", "新闻发布会3场", ov),
        Fact("narrative.standardization.catalog_items", 46, "条", "exact", "事项目录46条", ov),
        Fact("narrative.requests.received", 5, "件", "exact", "收到政府信息公开申请5件", ov,
             "table3.new_requests.total"),
        Fact("narrative.requests.completed", 5, "件", "exact", "办结5件", ov, "table3.results_total.total"),
        Fact("narrative.review.count", 1, "件", "exact", "行政复议1件", ov, "table4.review.total"),
        Fact("narrative.training.sessions", 2, "次", "exact", "开展政务公开培训2次", ov),
        Fact("narrative.training.participants", 80, "人次", "exact", "参训80人次", ov),
        Fact("narrative.fees.info_processing_fee_yuan", 0, "元", "exact", "未收取信息处理费", "other"),
    ]
    tables = {
        **t2_2021([0, 0, 0], [1, 0, 6], 2214, 185, 12, 0),
        **t3_values("gov_2021", {
            "new_requests": [4, 1, 0, 0, 0, 0],
            "granted": [2, 1, 0, 0, 0, 0],
            "not_processed_confirm_reissue": [1, 0, 0, 0, 0, 0],
            "other_no_correction": [1, 0, 0, 0, 0, 0],
        }),
        **t4_values([0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]),
    }
    return Example(
        file="2021_report.md", issuer="青禾县交通运输局", year=2021, format_id="gov_2021",
        title="青禾县交通运输局2021年政府信息公开工作年度报告",
        preamble=[
            "本报告依据《中华人民共和国政府信息公开条例》编制，所列数据统计期限为2021年1月1日至2021年12月31日。",
        ],
        sections=[
            Section("overview", STD["overview"], [
                "## （一）主动公开",
                "全年主动公开政府信息1046条，其中通过县政府网站发布信息689条，通过政务新媒体发布信息357条。围绕农村公路"
                "建设、客运班线调整等事项召开新闻发布会3场。",
                "## （二）依申请公开",
                "全年收到政府信息公开申请5件，办结5件，无结转。",
                "## （三）政府信息管理",
                "对照交通运输领域基层政务公开标准指引，梳理编制本局公开事项目录46条，并在网站上动态更新。",
                "## （四）平台建设与监督保障",
                "全年开展政务公开培训2次，参训80人次。因政府信息公开被申请行政复议1件，截至年底尚未审结。",
            ]),
            Section("proactive", STD["proactive"], ["[T2]"]),
            Section("requests", STD["requests"], ["[T3]"]),
            Section("review_litigation", STD["review_litigation"], ["[T4]"]),
            Section("problems", STD["problems"], [
                "公开内容以工作动态为主，政策解读和办事指引偏少。2022年将增加农村公路养护、出租车管理等方面的政策解读，"
                "并在每季度末检查一次公开目录的更新情况。",
            ]),
            Section("other", STD["other"], ["本年度未收取信息处理费。"]),
        ],
        tables=tables, facts=facts,
        # Markdown cannot merge cells or stack header rows: headers are flattened to paths.
        t2_kwargs={"header": "caption"}, t3_header="flat", t4_header="flat",
        labels=[
            ("（本列", "(本列"), ("之和，等于", "之和,等于"), ("项之和）", "项之和)"),
            ("（区分处理的，", "(区分处理的,"), ("情形，不计其他情形）", "情形,不计其他情形)"),
            ("不补正、行政机关", "不补正，行政机关"), ("缴纳费用、行政机关", "缴纳费用，行政机关"),
            *((f"{i}.", f"{i}、") for i in range(1, 9)),
        ],
        label_variants=[
            "Table 2: each block's caption sits in the header's first cell (markdown needs one header row)",
            "Tables 3 and 4: one header row of joined paths (申请人情况/法人或其他组织/商业企业, 行政复议/结果维持 …)",
            "Table 3: note and （二） with half-width parentheses and commas; （六）1/2 with ， instead of 、; "
            "sub-rows numbered 1、…8、",
        ],
    )


# ---------------------------------------------------------------------------
# Writing files and expected values.
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _s2tw():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("s2tw")


def to_traditional(text: str) -> str:
    out = _s2tw().convert(text)
    for old, new in TRADITIONAL_EDITS:
        out = out.replace(old, new)
    return out


def expected(ex: Example, raw: Callable[[str], str]) -> dict:
    """The expected JSON: metadata, ordered section keys, every table cell, planted facts."""
    for fact in ex.facts:
        if fact.table_key:
            assert ex.tables[fact.table_key] == fact.value, (ex.file, fact.metric)
    return {
        "file": ex.file,
        "issuer": ex.issuer,
        **({"issuer_raw": ex.issuer_raw} if ex.issuer_raw else {}),
        "year": ex.year,
        "format_id": ex.format_id,
        "script": ex.script,
        "title": raw(ex.title),
        "sections": [s.key for s in ex.sections],
        "section_headings": {s.key: raw(s.heading) for s in ex.sections},
        "tables": dict(sorted(ex.tables.items())),
        "facts": [
            {"metric": f.metric, "value": f.value, "unit": f.unit, "qualifier": f.qualifier, "raw": raw(f.raw),
             "section": f.section, **({"table_key": f.table_key} if f.table_key else {})}
            for f in ex.facts
        ],
        "legacy_stats": [{"label": lab, "unit": unit, "value": value} for lab, unit, value in ex.legacy_stats],
        "unbalanced": ex.unbalanced,
        "label_variants": ex.label_variants,
    }


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "expected").mkdir(exist_ok=True)
    written: list[Path] = []

    def plain(s: str) -> str:
        return s

    jobs: list[tuple[Example, Callable[[Path], None], Callable[[str], str], str | None]] = []
    a = ex_shuiwuju()
    jobs.append((a, lambda p, e=a: p.write_text(render_text(e, layout_tabs), encoding="utf-8"), plain,
                 render_text(a, layout_tabs)))
    b = ex_xian_gbk()
    b_text = render_text(b, layout_cell_lines)
    jobs.append((b, lambda p, t=b_text: p.write_bytes(t.encode("gbk")), plain, b_text))
    c = ex_qu_legacy()
    c_text = render_legacy(c)
    jobs.append((c, lambda p, t=c_text: p.write_text(t, encoding="utf-8"), plain, c_text))
    d = ex_traditional()
    d_text = to_traditional(render_text(d, lambda g: layout_pipes(g, outer=True)))
    jobs.append((d, lambda p, t=d_text: p.write_text(t, encoding="utf-8"), to_traditional, d_text))
    e = ex_portal()
    e_html = render_html(e, "2023-01-18")
    jobs.append((e, lambda p, t=e_html: p.write_text(t, encoding="utf-8"), plain, None))
    f = ex_zhen_pdf()
    jobs.append((f, lambda p, x=f: render_pdf(x, p), plain, None))
    g = ex_bureau_docx()
    jobs.append((g, lambda p, x=g: render_docx(x, p), plain, None))
    h = ex_markdown()
    h_text = render_text(h, layout_markdown, md=True)
    jobs.append((h, lambda p, t=h_text: p.write_text(t, encoding="utf-8"), plain, h_text))

    for ex, write, raw, text in jobs:
        source = text if text is not None else _prose(ex)
        for fact in ex.facts:
            assert raw(fact.raw) in (source if text is not None else raw(source)), (ex.file, fact.raw)
        path = out_dir / ex.file
        write(path)
        exp_path = out_dir / "expected" / f"{ex.file}.json"
        exp_path.write_text(json.dumps(expected(ex, raw), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written += [path, exp_path]
    return written


def _prose(ex: Example) -> str:
    return "\n".join([ex.title, *ex.preamble, *(b for s in ex.sections for b in [s.heading, *s.blocks])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    for path in build(args.out):
        print(f"{path.stat().st_size:7d}  {path}")


if __name__ == "__main__":
    main()
