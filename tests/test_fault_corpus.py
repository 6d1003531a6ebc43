"""A generated fault corpus: every bad input becomes a one-line error, never an exception.

Over 10,000 deterministic cases go through the same worker the batch uses
(`nianbao.batch.process_path`); most are malformed bytes that readers must reject,
a few hundred are damaged-but-readable reports that run the whole pipeline.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from nianbao.batch import process_path

BASE = ("北岸区人民政府2021年政府信息公开工作年度报告\n一、总体情况\n全年主动公开政府信息1200余条,召开新闻发布会8场。\n"
        "二、主动公开政府信息情况\n第二十条第(一)项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n"
        "规章 | 0 | 0 | 0\n行政规范性文件 | 5 | 1 | 40\n三、收到和处理政府信息公开申请情况\n"
        "一、本年新收政府信息公开申请数量 | 10 | 0 | 0 | 0 | 0 | 0 | 10\n四、政府信息公开行政复议、行政诉讼情况\n"
        "0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0\n五、存在的主要问题及改进情况\n一是培训不足。\n"
        "六、其他需要报告的事项\n无。\n")
SUFFIXES = [".txt", ".md", ".html", ".pdf", ".docx", ".htm", ".xyz", ""]


def _pdf_bytes() -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
            b"<< /Length 44 >>\nstream\nBT /F1 12 Tf 20 100 Td (Hello report) Tj ET\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer << /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    for line in BASE.splitlines():
        d.add_paragraph(line)
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(1, 0))
    t.cell(2, 1).text = "5"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _html_bytes() -> bytes:
    rows = "".join(f"<tr><td>{ln}</td><td>1</td></tr>" for ln in BASE.splitlines()[:6])
    return (f"<html><head><meta charset='utf-8'><script>alert(1)</script></head><body><nav>首页</nav>"
            f"<div class='content'>{'<p>'.join(BASE.splitlines())}<table>{rows}</table></div></body></html>").encode()


def _mutate(rng: random.Random, data: bytes) -> bytes:
    op = rng.randrange(6)
    if not data:
        return data
    if op == 0:  # truncate
        return data[: rng.randrange(len(data))]
    if op == 1:  # flip bytes
        b = bytearray(data)
        for _ in range(rng.randrange(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if op == 2:  # insert NULs
        i = rng.randrange(len(data))
        return data[:i] + b"\x00" * rng.randrange(1, 50) + data[i:]
    if op == 3:  # splice another encoding in
        i = rng.randrange(len(data))
        return data[:i] + BASE[:200].encode(rng.choice(["gb18030", "big5", "utf-16", "utf-8"]), "ignore") + data[i:]
    if op == 4:  # duplicate a chunk
        i, j = sorted(rng.randrange(len(data)) for _ in range(2))
        return data[:j] + data[i:j] + data[j:]
    return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))


def _special_cases() -> Iterator[tuple[str, bytes]]:
    yield ".txt", b""
    for suffix, whole in ((".pdf", _pdf_bytes()), (".docx", _docx_bytes()), (".html", _html_bytes())):
        yield suffix, b""  # zero-length
        yield suffix, whole[: len(whole) // 2]  # truncated
        yield ".txt", whole  # wrong extension
    yield ".txt", b"\x00" * 1000
    yield ".html", b"<div>" * 20000 + "深层嵌套的正文。".encode() + b"</div>" * 20000
    yield ".html", ("<html><body><table>" + "<tr><td>行</td><td>1</td></tr>" * 10000 + "</table></body></html>").encode()
    yield ".txt", (BASE + "\n" + "\n".join("1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0" for _ in range(10000))).encode()
    yield ".txt", BASE.replace("10 | 0", "1" * 40 + " | 0").encode()
    yield ".txt", ("受理申请" + "9" * 40 + "件。\n").encode() + BASE.encode()
    yield ".txt", BASE.encode("utf-16")
    yield ".txt", BASE.encode("gb18030")
    yield ".pdf", b"%PDF-1.7\n%encrypted /Encrypt 5 0 R\n%%EOF"
    yield ".txt", b"x" * (31 << 20)  # too large: refused with a clear reason
    report = BASE.encode()
    yield ".txt", report * ((50 << 20) // len(report) + 1)  # 50 MB of report text: refused, not read into memory


def cases(n: int, seed: int = 20261123) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(seed)
    seeds = [BASE.encode(), BASE.encode("gb18030"), _html_bytes(), _pdf_bytes(), _docx_bytes()]
    yield from _special_cases()
    for _ in range(n):
        data = _mutate(rng, rng.choice(seeds))
        yield rng.choice(SUFFIXES), data


@pytest.mark.slow
def test_fault_corpus_never_raises(tmp_path: Path) -> None:
    total = 0
    failures = 0
    full_reports = 0
    for i, (suffix, data) in enumerate(cases(10_050)):
        p = tmp_path / f"case{i % 50}{suffix}"
        p.write_bytes(data)
        outcome = process_path(str(p))
        total += 1
        if outcome.error is not None:
            failures += 1
            assert "\n" not in outcome.error and outcome.error.strip(), (i, outcome.error)
            assert not outcome.error.startswith("internal error"), (i, suffix, outcome.error)
        else:
            full_reports += 1
    print(f"fault corpus: {total} cases, {failures} one-line errors, {full_reports} processed reports")
    assert total >= 10_000
    assert full_reports >= 100
