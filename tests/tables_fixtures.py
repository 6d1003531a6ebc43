"""Synthetic reports: one set of table values rendered into every layout the tables stage reads.

Layouts: cell-per-line with ``|`` placeholders, pipe rows, TSV with leading empty cells, empty
skeleton, markdown, crawler run-together text, HTML with rowspan/colspan, DOCX with merged cells;
each also in traditional script (OpenCC s2t). All text here is written for the tests; only the
official row/column labels of the national template are reused (shortened where long).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from functools import lru_cache

from nianbao.io.readers.builder import expand_spans

Span = tuple[str, int, int]  # (text, rowspan, colspan)
Values = dict[str, float | int | None]

APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org"]
T3_COLS = [*APPLICANTS, "total"]
T4_COLS = [f"{g}.{c}" for g in ("review", "litigation_direct", "litigation_after_review")
           for c in ("upheld", "corrected", "other", "pending", "total")]

# (group label or "", group rowspan key, row label, key); labels written for the tests
_T3_HEAD = [("", "一、本年新收政府信息公开申请数量", "new_requests"),
            ("", "二、上年结转政府信息公开申请数量", "carried_over")]
_T3_RESULTS = [
    ("", "（一）予以公开", "granted"),
    ("", "（二）部分公开（区分处理的只计这一情形）", "partially_granted"),
    ("（三）不予公开", "1.属于国家秘密", "denied_state_secret"),
    ("", "2.其他法律行政法规禁止公开", "denied_law_prohibited"),
    ("", "3.危及“三安全一稳定”", "denied_security_stability"),
    ("", "4.保护第三方合法权益", "denied_third_party"),
    ("", "5.属于三类内部事务信息", "denied_internal_affairs"),
    ("", "6.属于四类过程性信息", "denied_process_info"),
    ("", "7.属于行政执法案卷", "denied_enforcement_file"),
    ("", "8.属于行政查询事项", "denied_admin_query"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", "unable_not_held"),
    ("", "2.没有现成信息需要另行制作", "unable_need_creation"),
    ("", "3.补正后申请内容仍不明确", "unable_unclear"),
    ("（五）不予处理", "1.信访举报投诉类申请", "not_processed_petition"),
    ("", "2.重复申请", "not_processed_duplicate"),
    ("", "3.要求提供公开出版物", "not_processed_publication"),
    ("", "4.无正当理由大量反复申请", "not_processed_mass_repeat"),
    ("", "5.要求行政机关确认或重新出具已获取信息", "not_processed_confirm_reissue"),
]
_T3_OTHER = {
    "gov_2019": [("", "（六）其他处理", "other")],
    "gov_2021": [("（六）其他处理", "1.申请人逾期不补正", "other_no_correction"),
                 ("", "2.申请人逾期未缴纳费用", "other_fee_unpaid"),
                 ("", "3.其他", "other_misc")],
}
_T2 = {
    "gov_2019": [
        ("（一）", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
         [("规章", "regulations"), ("规范性文件", "normative_docs")], ["new_made", "new_published", "total_published"]),
        ("（五）", ["上一年项目数量", "本年增/减", "处理决定数量"],
         [("行政许可", "licensing"), ("其他对外管理服务事项", "other_mgmt_services")],
         ["prev_year_items", "items_change", "decisions"]),
        ("（六）", ["上一年项目数量", "本年增/减", "处理决定数量"],
         [("行政处罚", "penalty"), ("行政强制", "coercion")], ["prev_year_items", "items_change", "decisions"]),
        ("（八）", ["上一年项目数量", "本年增/减"], [("行政事业性收费", "admin_fees")], ["prev_year_items", "items_change"]),
        ("（九）", ["采购项目数量", "采购总金额（元）"], [("政府集中采购", "central_procurement")], ["projects", "amount_yuan"]),
    ],
    "gov_2021": [
        ("（一）", ["本年制发件数", "本年废止件数", "现行有效件数"],
         [("规章", "regulations"), ("行政规范性文件", "normative_docs")], ["issued", "repealed", "in_force"]),
        ("（五）", ["本年处理决定数量"], [("行政许可", "licensing")], ["decisions"]),
        ("（六）", ["本年处理决定数量"], [("行政处罚", "penalty"), ("行政强制", "coercion")], ["decisions"]),
        ("（八）", ["本年收费金额（单位：万元）"], [("行政事业性收费", "admin_fees")], ["amount_wan_yuan"]),
    ],
}


def t3_rows(fmt: str) -> list[tuple[str, str, str]]:
    return _T3_HEAD + _T3_RESULTS + _T3_OTHER[fmt] + [("", "（七）总计", "results_total"),
                                                      ("", "四、结转下年度继续办理", "carried_forward")]


def make_values(fmt: str, seed: int = 7, blanks: bool = True) -> Values:
    """Values for every cell of ``fmt`` that satisfy all identities (blank cells count as 0)."""
    rnd = random.Random(seed)
    v: Values = {}
    results = [k for _g, _l, k in _T3_RESULTS + _T3_OTHER[fmt]]
    col_sum = dict.fromkeys(APPLICANTS, 0)
    for k in results:
        for c in APPLICANTS:
            x = rnd.choice([0, 0, 0, 1, 2, 3, 5, 8, 13, 21, 34]) if c in ("natural_person", "commercial_enterprise") \
                else rnd.choice([0, 0, 0, 0, 1, 2])
            v[f"table3.{k}.{c}"] = x
            col_sum[c] += x
    for c in APPLICANTS:
        fwd = rnd.choice([0, 1, 2, 4])
        over = rnd.randint(0, col_sum[c] + fwd)
        v[f"table3.results_total.{c}"] = col_sum[c]
        v[f"table3.carried_forward.{c}"] = fwd
        v[f"table3.carried_over.{c}"] = over
        v[f"table3.new_requests.{c}"] = col_sum[c] + fwd - over
    for _g, _l, k in t3_rows(fmt):
        v[f"table3.{k}.total"] = sum(v[f"table3.{k}.{c}"] or 0 for c in APPLICANTS)  # type: ignore[misc]
    if blanks:  # printed-empty cells, as seed 000 has; the row totals stay printed
        for key in ("table3.granted.research_institution", "table3.denied_third_party.commercial_enterprise",
                    "table3.results_total.social_welfare_org"):
            if not v[key]:
                v[key] = None
    for g in ("review", "litigation_direct", "litigation_after_review"):
        parts = [rnd.choice([0, 0, 1, 2, 3, 12]) for _ in range(4)]
        for c, x in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            v[f"table4.{g}.{c}"] = x
        v[f"table4.{g}.total"] = sum(parts)
    for _caption, _heads, rows, cols in _T2[fmt]:
        for _label, key in rows:
            for c in cols:
                if c == "items_change":
                    x: float | int = rnd.choice([0, 0, 3, -2, 15])
                elif c == "amount_wan_yuan":
                    x = round(rnd.uniform(1, 900), 4)
                elif c == "amount_yuan":
                    x = rnd.choice([0, 251000, 1830.5])
                else:
                    x = rnd.choice([0, 2, 7, 19, 128, 1036, 17726])
                v[f"table2.{key}.{c}"] = x
        for _label, key in rows:  # keep the soft table-2 rules true
            if "new_made" in cols:
                v[f"table2.{key}.new_published"] = v[f"table2.{key}.new_made"]
                v[f"table2.{key}.total_published"] = v[f"table2.{key}.new_made"] + rnd.choice([0, 5, 40])  # type: ignore[operator]
            if "in_force" in cols:
                v[f"table2.{key}.in_force"] = v[f"table2.{key}.issued"] + rnd.choice([0, 11, 230])  # type: ignore[operator]
    return v


def fmt_value(x: float | int | None, signed: bool = False) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and not x.is_integer():
        return f"{x:g}" if len(f"{x:g}") >= len(repr(x)) else repr(x)
    s = str(int(x))
    return f"+{s}" if signed and x > 0 else s


# --- the tables as span rows (the layout a word processor would produce) -------------------------

def table2_spans(fmt: str, v: Values) -> list[list[Span]]:
    rows: list[list[Span]] = []
    for caption, heads, items, cols in _T2[fmt]:
        rows.append([(f"第二十条第{caption}项", 1, 4)])
        if len(heads) == 1:
            rows.append([("信息内容", 1, 1), (heads[0], 1, 3)])
        elif len(heads) == 2:
            rows.append([("信息内容", 1, 1), (heads[0], 1, 1), (heads[1], 1, 2)])
        else:
            rows.append([("信息内容", 1, 1)] + [(h, 1, 1) for h in heads])
        for label, key in items:
            vals = [fmt_value(v[f"table2.{key}.{c}"], c == "items_change") for c in cols]
            if len(vals) == 1:
                rows.append([(label, 1, 1), (vals[0], 1, 3)])
            elif len(vals) == 2:
                rows.append([(label, 1, 1), (vals[0], 1, 1), (vals[1], 1, 2)])
            else:
                rows.append([(label, 1, 1)] + [(x, 1, 1) for x in vals])
    return rows


def table3_spans(fmt: str, v: Values) -> list[list[Span]]:
    def vals(key: str) -> list[Span]:
        return [(fmt_value(v[f"table3.{key}.{c}"]), 1, 1) for c in T3_COLS]

    body = t3_rows(fmt)
    results = _T3_RESULTS + _T3_OTHER[fmt] + [("", "（七）总计", "results_total")]
    rows: list[list[Span]] = [
        [("（本列勾稽关系：一加二等于三加四）", 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        [("商业企业", 1, 1), ("科研机构", 1, 1), ("社会公益组织", 1, 1), ("法律服务机构", 1, 1), ("其他", 1, 1)],
    ]
    sizes: dict[str, int] = {}
    current = ""
    for g, label, _key in results:
        if g:
            current = g
            sizes[g] = 1
        elif label[:1].isdigit() and current:
            sizes[current] += 1
        else:
            current = ""
    for g, label, key in body:
        row: list[Span] = []
        if key in ("new_requests", "carried_over", "carried_forward"):
            row.append((label, 1, 3))
        else:
            if key == "granted":
                row.append(("三、本年度办理结果", len(results), 1))
            if g:
                row += [(g, sizes[g], 1), (label, 1, 1)]
            elif label[:1].isdigit():
                row.append((label, 1, 1))
            else:
                row.append((label, 1, 2))
        rows.append(row + vals(key))
    return rows


ORGS = APPLICANTS[1:]
SUBTOTAL_GROUPS = {"（三）不予公开": "denied_subtotal", "（四）无法提供": "unable_subtotal",
                   "（五）不予处理": "not_processed_subtotal", "（六）其他处理": "other"}


def subtotal_values(fmt: str, v: Values) -> Values:
    """The printed subtotals of a template with a 法人或其他组织小计 column and (三)…(六) subtotal rows."""
    out: Values = {}
    current = ""
    members: dict[str, list[str]] = {}
    for g, label, key in _T3_RESULTS + _T3_OTHER[fmt]:
        if g:
            current = SUBTOTAL_GROUPS[g]
        elif not label[:1].isdigit():
            current = ""
        if current:
            members.setdefault(current, []).append(key)
    for parent, kids in members.items():
        for c in T3_COLS:
            out[f"table3.{parent}.{c}"] = sum(v[f"table3.{k}.{c}"] or 0 for k in kids)  # type: ignore[misc]
    rows = [k for _g, _l, k in t3_rows(fmt)] + list(members)
    for r in rows:
        src = out if f"table3.{r}.total" in out else v
        out[f"table3.{r}.legal_entity_subtotal"] = sum(src[f"table3.{r}.{c}"] or 0 for c in ORGS)  # type: ignore[misc]
    return out


def table3_subtotal_spans(fmt: str, v: Values) -> list[list[Span]]:
    """Table 3 as some templates print it: 小计 column after the five organisations, subtotal rows."""
    sub = subtotal_values(fmt, v)
    cols = [*APPLICANTS, "legal_entity_subtotal", "total"]

    def vals(key: str) -> list[Span]:
        return [(fmt_value(sub.get(f"table3.{key}.{c}", v.get(f"table3.{key}.{c}"))), 1, 1) for c in cols]

    rows: list[list[Span]] = [
        [("（本列勾稽关系：一加二等于三加四）", 3, 2), ("申请人情况", 1, 8)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 6), ("总计", 2, 1)],
        [("商业企业", 1, 1), ("科研机构", 1, 1), ("社会公益组织", 1, 1), ("法律服务机构", 1, 1), ("其他", 1, 1),
         ("小计", 1, 1)],
    ]
    for key, label in (("new_requests", _T3_HEAD[0][1]), ("carried_over", _T3_HEAD[1][1])):
        rows.append([(label, 1, 2), *vals(key)])
    body: list[tuple[str, str]] = []
    for g, label, key in _T3_RESULTS + _T3_OTHER[fmt]:
        if g:
            body.append((g, SUBTOTAL_GROUPS[g]))
        body.append((label, key))
    body.append(("（七）总计", "results_total"))
    for i, (label, key) in enumerate(body):
        head: list[Span] = [("三、本年度办理结果", len(body), 1)] if i == 0 else []
        rows.append([*head, (label, 1, 1), *vals(key)])
    rows.append([("四、结转下年度继续办理", 1, 2), *vals("carried_forward")])
    return rows


def table4_spans(v: Values) -> list[list[Span]]:
    five = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [(h, 2, 1) for h in five] + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [(h, 1, 1) for h in five * 2],
        [(fmt_value(v[f"table4.{c}"]), 1, 1) for c in T4_COLS],
    ]


PROSE_1 = ("本年度本机关坚持以公开为常态，全年通过门户网站发布各类信息1136条，受理申请12件，"
           "其中予以公开5件，办理情况见下表。")
PROSE_5 = "存在的问题是栏目更新不够及时。下一步将加强培训，完善制度。"


def blocks(fmt: str, v: Values, title: str = "某县人民政府2021年政府信息公开工作年度报告"
           ) -> list[str | list[list[Span]]]:
    return [title, "一、总体情况", PROSE_1, "二、主动公开政府信息情况", table2_spans(fmt, v),
            "三、收到和处理政府信息公开申请情况", table3_spans(fmt, v),
            "四、政府信息公开行政复议、行政诉讼情况", table4_spans(v),
            "五、存在的主要问题及改进情况", PROSE_5, "六、其他需要报告的事项", "无。"]


def expand(rows: list[list[Span]]) -> list[list[tuple[str, bool]]]:
    """Rowspan/colspan expanded to a rectangle of (text, is_copy), as the HTML reader does."""
    return expand_spans(rows)


# --- renderers -------------------------------------------------------------------------------------

def _text_doc(bl: list[str | list[list[Span]]], table: Callable[[list[list[Span]]], str]) -> str:
    return "\n".join(b if isinstance(b, str) else table(b) for b in bl) + "\n"


def render_pipe(rows: list[list[Span]]) -> str:
    return "\n".join(" | ".join(t for t, copy in row if not copy) for row in expand(rows))


def render_tsv(rows: list[list[Span]]) -> str:
    return "\n".join("\t".join("" if copy else t for t, copy in row) for row in expand(rows))


def render_cell_per_line(rows: list[list[Span]]) -> str:
    lines: list[str] = []
    for row in expand(rows):
        for t, copy in row:
            if not copy:
                lines.append(f"{t} |" if t else "|")
        lines.append("||")
    return "\n".join(lines)


def render_markdown(rows: list[list[Span]]) -> str:
    out = []
    for i, row in enumerate(expand(rows)):
        out.append("| " + " | ".join(t for t, copy in row if not copy) + " |")
        if i == 0:
            out.append("|" + "---|" * sum(1 for _t, copy in row if not copy))
    return "\n".join(out)


def render_run_together(rows: list[list[Span]]) -> str:
    return "".join(t for row in expand(rows) for t, copy in row if not copy)


def render_skeleton(rows: list[list[Span]]) -> str:
    def is_value(t: str) -> bool:
        return t.lstrip("+-").replace(".", "", 1).isdigit()

    return "\n".join(" | ".join("" if is_value(t) else t for t, copy in row if not copy) for row in expand(rows))


def render_html(bl: list[str | list[list[Span]]]) -> str:
    parts = ["<html><head><title>年度报告</title></head><body><div class='article'>"]
    for b in bl:
        if isinstance(b, str):
            parts.append(f"<p>{b}</p>")
            continue
        parts.append("<table border='1'>")
        for row in b:
            cells = "".join(
                f"<td{f' rowspan={rs}' if rs > 1 else ''}{f' colspan={cs}' if cs > 1 else ''}>{t}</td>"
                for t, rs, cs in row)
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    parts.append("</div></body></html>")
    return "\n".join(parts)


def render_docx(bl: list[str | list[list[Span]]], convert: Callable[[str], str] = lambda s: s) -> bytes:
    import docx

    document = docx.Document()
    for b in bl:
        if isinstance(b, str):
            document.add_paragraph(convert(b))
            continue
        grid = expand(b)
        table = document.add_table(rows=len(grid), cols=len(grid[0]))
        at = [row.cells for row in table.rows]  # one lookup: table.cell() rescans the table; merges never overlap
        for r, row in enumerate(b):
            origins = [c for c, (_t, copy) in enumerate(grid[r]) if not copy]
            for (text, rs, cs), c in zip(row, origins, strict=True):
                cell = at[r][c]
                if rs > 1 or cs > 1:
                    cell = cell.merge(at[r + rs - 1][c + cs - 1])
                cell.text = convert(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


TEXT_LAYOUTS: dict[str, tuple[str, Callable[[list[list[Span]]], str]]] = {
    "cell_per_line": (".txt", render_cell_per_line),
    "pipe": (".txt", render_pipe),
    "tsv": (".txt", render_tsv),
    "markdown": (".md", render_markdown),
    "run_together": (".txt", render_run_together),
}


@lru_cache(maxsize=1)
def _s2t() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("s2t").convert  # building a converter costs ~0.3 s: build it once


def to_traditional(text: str) -> str:
    return _s2t()(text)


def render(layout: str, fmt: str, v: Values, traditional: bool = False) -> tuple[bytes, str]:
    """(file bytes, suffix) of a whole synthetic report in ``layout``."""
    bl = blocks(fmt, v)
    conv = to_traditional if traditional else (lambda s: s)
    if layout == "html":
        return conv(render_html(bl)).encode("utf-8"), ".html"
    if layout == "docx":
        return render_docx(bl, conv), ".docx"
    if layout == "skeleton":
        return conv(_text_doc(bl, render_skeleton)).encode("utf-8"), ".txt"
    suffix, fn = TEXT_LAYOUTS[layout]
    text = _text_doc(bl, fn)
    if layout == "run_together":
        text = "".join(text.split("\n"))
    return conv(text).encode("utf-8"), suffix
