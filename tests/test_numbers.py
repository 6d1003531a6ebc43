"""Number and quantity parsing (nianbao.lang.numbers) on self-written phrases."""

from __future__ import annotations

import pytest

from nianbao.lang.numbers import find_quantities, find_zero_statements, parse_cn_int, parse_number

PARSE = [
    ("12", 12), ("１２３", 123), ("1.5万", 15000), ("0.5万", 5000), ("3亿", 300_000_000),
    ("十二", 12), ("一十二", 12), ("两", 2), ("一百零五", 105), ("三千二百万", 32_000_000), ("二〇二〇", 2020),
    ("百分之九十五", 95), ("百分之百", 100), ("95%", 95), ("一点五", 1.5), ("1,234", 1234), ("十", 10),
    ("十三五", None), ("abc", None), ("", None),
]


@pytest.mark.parametrize(("raw", "value"), PARSE)
def test_parse_number(raw: str, value: float | None) -> None:
    assert parse_number(raw) == value


def test_parse_cn_int_rejects_non_numerals() -> None:
    assert parse_cn_int("十x") is None
    assert parse_cn_int("") is None


QUANTITIES = [
    # text, value, unit, qualifier, raw
    ("全年发布消息320条。", 320, "条", "exact", "320条"),
    ("网站更新稿件5600余条。", 5600, "条", "approx", "5600余条"),
    ("每期印制800多份。", 800, "份", "approx", "800多份"),
    ("公众号关注人数超过2.3万。", 23000, None, "at_least", "超过2.3万"),
    ("访问量逾5万人次。", 50000, "人次", "at_least", "逾5万人次"),
    ("回应留言近300条。", 300, "条", "approx", "近300条"),
    ("整改问题约40个。", 40, "个", "approx", "约40个"),
    ("办结不足10件。", 10, "件", "at_most", "不足10件"),
    ("组织开展了一期专题培训。", 1, "期", "exact", "一期"),
    ("先后进行两次抽查。", 2, "次", "exact", "两次"),
    ("召开十二场发布会。", 12, "场", "exact", "十二场"),
    ("收取信息处理费260元。", 260, "元", "exact", "260元"),
    ("投入经费2.5万元。", 25000, "元", "exact", "2.5万元"),
    ("培训人员1.2万人次。", 12000, "人次", "exact", "1.2万人次"),
    ("答复率达到100%。", 100, "%", "exact", "100%"),
    ("满意率百分之九十八。", 98, "%", "exact", "百分之九十八"),
    ("开展督查３次。", 3, "次", "exact", "３次"),
    ("发布信息1200条以上。", 1200, "条", "at_least", "1200条以上"),
    ("共有30多个单位参加。", 30, "个", "approx", "30多个"),
    ("办理时限3至5个工作日。", 3, "个工作日", "at_least", "3至5个工作日"),
    ("共处理申请 12 件。", 12, "件", "exact", "12 件"),
]


@pytest.mark.parametrize(("text", "value", "unit", "qualifier", "raw"), QUANTITIES)
def test_find_quantities(text: str, value: float, unit: str | None, qualifier: str, raw: str) -> None:
    qs = [q for q in find_quantities(text) if q.kind == "number"]
    assert len(qs) == 1, qs
    q = qs[0]
    assert (q.value, q.unit, q.qualifier, q.raw) == (value, unit, qualifier, raw)
    assert text[q.start:q.end] == q.raw


def test_range_keeps_upper_bound() -> None:
    q = find_quantities("计划开展3-5次检查")[0]
    assert (q.value, q.high, q.qualifier) == (3, 5, "at_least")


NOT_QUANTITIES = [
    "统计期限为2020年1月1日至2020年12月31日。",
    "依据省政府令第245号执行。",
    "按照某办发〔2016〕33号文件要求。",
    "十三五期间持续推进。",
    "一是加强领导,二是完善制度。",
    "统一部署,进一步落实。",
    "电话:0731-1234567。",
    "实行一次性告知。",
    "第3次会议审议通过。",
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_not_quantities(text: str) -> None:
    assert [q for q in find_quantities(text) if q.kind == "number"] == []


ZEROS = [
    ("本年度未收到政府信息公开申请。", "未收到政府信息公开申请"),
    ("本机关无依申请公开事项。", "无依申请公开事项"),
    ("全年没有发生因信息公开引起的行政复议和行政诉讼。", "没有发生因信息公开引起的行政复议和行政诉讼"),
    ("依申请提供信息均未收取任何费用。", "均未收取任何费用"),
]


@pytest.mark.parametrize(("text", "raw"), ZEROS)
def test_zero_statements(text: str, raw: str) -> None:
    zs = find_zero_statements(text)
    assert [(z.value, z.raw, z.kind) for z in zs] == [(0, raw, "zero")]


@pytest.mark.parametrize("text", ["无论何时都要公开。", "尚未审结总计未经复议直接起诉000", "没有现成信息需要另行制作00003"])
def test_not_zero_statements(text: str) -> None:
    assert find_zero_statements(text) == []


def test_one_negation_over_a_coordinated_pair_covers_both_objects() -> None:
    from nianbao.stages.facts import zero_facts

    def zeros(s: str) -> list[str]:
        return sorted(k for k, _ in zero_facts(s, find_quantities(s)))

    assert zeros("本年度无因政府信息公开产生行政复议,提起行政诉讼情况发生。") == [
        "narrative.litigation.count", "narrative.review.count"]
    # the next clause states a number: it is not part of the zero statement
    assert zeros("本年度未发生行政复议,行政诉讼3件。") == ["narrative.review.count"]
    assert zeros("全年未收到申请,行政复议0件。") == ["narrative.requests.received"]
