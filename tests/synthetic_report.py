"""A fictional report, written for these tests, with a hand-built Report over it.

Used by the merge, spaCy and view tests so they do not depend on the output of the
other stages: text, sections, cells, facts, entities, paragraphs and checks are all
declared here with offsets computed from the text.
"""

from __future__ import annotations

from nianbao.schema import Cell, Check, Document, Entity, Fact, Paragraph, Report, Section

ISSUER = "示范市虚构局"

TEXT = """示范市虚构局2021年政府信息公开工作年度报告

一、总体情况
2021年,示范市虚构局以公开促落实,全年主动公开政府信息1200余条。本年度共收到政府信息公开申请42件,已全部办结,其中来自自然人的申请30件。另有2件申请在窗口当面答复。全年未发生行政复议案件,行政诉讼1件。
本年制发行政规范性文件5件,发布政策解读12篇。

二、主动公开政府信息情况
规章 | 0 | 0 | 0
行政规范性文件 | 5 | 1 | 20
行政事业性收费 | 3.5

三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 | 30 | 12 | 0 | 0 | 0 | 0 | 42
(七)总计 | 30 | 12 | 0 | 0 | 0 | 0 | 43
四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0

四、政府信息公开行政复议、行政诉讼情况
0 | 0 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0

五、存在的主要问题及改进情况
个别科室对公开属性把握不准,超过40件信息更新不及时。下一步将组织专题培训<两期>并加强考核。

六、其他需要报告的事项
本年度未收取信息处理费。
"""

SECTIONS = [
    ("overview", "一、总体情况", "二、主动公开"),
    ("proactive", "二、主动公开", "三、收到和处理"),
    ("requests", "三、收到和处理", "四、政府信息公开行政复议"),
    ("review_litigation", "四、政府信息公开行政复议", "五、存在"),
    ("problems", "五、存在", "六、其他"),
    ("other", "六、其他", None),
]


def find(needle: str, nth: int = 0, after: str | None = None) -> tuple[int, int]:
    """Offsets of the nth occurrence of ``needle`` (optionally after another string)."""
    pos = TEXT.index(after) if after else 0
    for _ in range(nth + 1):
        pos = TEXT.index(needle, pos)
        start = pos
        pos += 1
    return start, start + len(needle)


def _row_cells(label: str, values: list[str]) -> list[tuple[int, int]]:
    """Offsets of the values on a ``label | v | v …`` line."""
    line_start = TEXT.index(label + " |")
    out = []
    pos = line_start + len(label)
    for v in values:
        i = TEXT.index(" " + v, pos) + 1
        out.append((i, i + len(v)))
        pos = i + len(v)
    return out


COLS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total"]
T4 = [f"{g}.{c}" for g in ("review", "litigation_direct", "litigation_after_review")
      for c in ("upheld", "corrected", "other", "pending", "total")]


def cells() -> dict[str, Cell]:
    out: dict[str, Cell] = {}

    def put(key: str, raw: str, span: tuple[int, int], label: str | None = None) -> None:
        value: int | float = float(raw) if "." in raw else int(raw)
        out[key] = Cell(value=value, raw=raw, status="ok", start=span[0], end=span[1], raw_label=label)

    for col, raw, span in zip(["issued", "repealed", "in_force"], ["0", "0", "0"], _row_cells("规章", ["0"] * 3),
                              strict=True):
        put(f"table2.regulations.{col}", raw, span, "规章")
    for col, raw, span in zip(["issued", "repealed", "in_force"], ["5", "1", "20"],
                              _row_cells("行政规范性文件", ["5", "1", "20"]), strict=True):
        put(f"table2.normative_docs.{col}", raw, span, "行政规范性文件")
    put("table2.admin_fees.amount_wan_yuan", "3.5", _row_cells("行政事业性收费", ["3.5"])[0], "行政事业性收费")
    rows = [("new_requests", "一、本年新收政府信息公开申请数量", ["30", "12", "0", "0", "0", "0", "42"]),
            ("results_total", "(七)总计", ["30", "12", "0", "0", "0", "0", "43"]),
            ("carried_forward", "四、结转下年度继续办理", ["0"] * 7)]
    for row, label, vals in rows:
        for col, raw, span in zip(COLS, vals, _row_cells(label, vals), strict=True):
            put(f"table3.{row}.{col}", raw, span, label)
    line = TEXT.index("0 | 0 | 0 | 0 | 0 | 1")
    pos = line
    for key in T4:
        i = pos
        raw = TEXT[i]
        put(f"table4.{key}", raw, (i, i + 1))
        pos = i + 4
    return out


def facts() -> list[Fact]:
    def fact(metric: str, value: float | int, raw: str, nth: int = 0, unit: str | None = "件",
             qualifier: str = "exact", section: str = "overview", after: str | None = None) -> Fact:
        s, e = find(raw, nth, after)
        return Fact(metric=metric, value=value, unit=unit, qualifier=qualifier, raw=raw, start=s, end=e,  # type: ignore[arg-type]
                    section=section)

    return [
        fact("narrative.proactive.items_total", 1200, "1200余条", unit="条", qualifier="approx"),
        fact("narrative.requests.received", 42, "42件"),
        fact("narrative.requests.received_by_applicant", 30, "30件"),
        fact("narrative.requests.received", 2, "2件", after="另有"),
        fact("narrative.review.count", 0, "未发生行政复议案件", unit=None),
        fact("narrative.litigation.count", 1, "1件", after="行政诉讼"),
        fact("narrative.proactive.policy_docs", 5, "5件", after="制发"),
        fact("narrative.interpretation.items", 12, "12篇", unit="篇"),
        fact("narrative.requests.received", 40, "超过40件", qualifier="at_least", section="problems"),
        fact("narrative.fees.info_processing_fee_yuan", 0, "未收取信息处理费", unit=None, section="other"),
    ]


def sections() -> list[Section]:
    out = []
    for key, head, nxt in SECTIONS:
        s = TEXT.index(head)
        e = TEXT.index(nxt) if nxt else len(TEXT)
        out.append(Section(key=key, title=head, start=s, end=e, heading_start=s, heading_end=TEXT.index("\n", s)))
    return out


def paragraphs() -> list[Paragraph]:
    out = []
    specs = [("2021年,示范市虚构局以公开促落实", "overview", "achievement", ["requests_handling", "proactive"]),
             ("本年制发行政规范性文件5件", "overview", "achievement", ["policy_interpretation"]),
             ("个别科室对公开属性把握不准", "problems", "problem", ["attribute_review"]),
             ("本年度未收取信息处理费", "other", "other", [])]
    for head, sec, role, themes in specs:
        s = TEXT.index(head)
        e = TEXT.index("\n", s)
        out.append(Paragraph(section=sec, start=s, end=e, role=role, themes=themes,  # type: ignore[arg-type]
                             scores={t: 0.9 for t in themes}))
    return out


def entities() -> list[Entity]:
    out = []
    for text, label, nth in [(ISSUER, "ORG", 0), (ISSUER, "ORG", 1), ("2021年", "DATE", 0), ("2021年", "DATE", 1),
                             ("示范市", "GPE", 1)]:
        s, e = find(text, nth)
        out.append(Entity(label=label, start=s, end=e, text=text))
    return out


def identity_check() -> Check:
    """The deliberate Table 3 error: (七)总计 43 ≠ 42 new + 0 carried over − 0 carried forward."""
    return Check(id="table3.balance.total", rule="new_requests + carried_over = results_total + carried_forward",
                 status="fail", left=42, right=43, delta=-1, cause="source_inconsistency", severity="error",
                 keys=["table3.new_requests.total", "table3.results_total.total", "table3.carried_forward.total"],
                 message="42 + 0 ≠ 43 + 0")


def document(source: str = "synthetic://示范市虚构局-2021.txt") -> Document:
    import hashlib

    return Document(source=source, media_type="text", text=TEXT,
                    sha256=hashlib.sha256(TEXT.encode("utf-8")).hexdigest())


def report(with_merge: bool = True) -> Report:
    """The full hand-built report; ``with_merge`` runs the real merge stage on it."""
    doc = document()
    r = Report(source=doc.source, issuer=ISSUER, year=2021, format_id="gov_2021", script="simplified",
               media_type="text", sha256=doc.sha256, sections=sections(), tables=cells(), facts=facts(),
               entities=entities(), paragraphs=paragraphs(), checks=[identity_check()])
    r.warnings.append(_notice())
    if with_merge:
        from nianbao.stages.context import Context
        from nianbao.stages.merge import run
        from nianbao.stages.normalise import normalise

        run(Context(doc=doc, norm=normalise(doc.text), report=r))
    return r


def _notice():  # type: ignore[no-untyped-def]
    from nianbao.schema import Notice

    s, e = find("<两期>")
    return Notice(code="odd_markup", message="angle brackets <两期> & ampersand kept as text", start=s, end=e)
