"""Table parsing time per report, by input type (text, markdown, html, pdf, docx).

Times only the ``tables`` + ``checks`` stages (reading and normalising are done once before
timing). Real reports from ../shared are used where present; HTML and DOCX use the synthetic
fixtures of tests/tables_fixtures.py (the corpus HTML pages carry no tables).

    .venv/bin/python bench/bench_tables.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "tests"))

from nianbao.io.readers import read, read_bytes  # noqa: E402
from nianbao.schema import Document, Report  # noqa: E402
from nianbao.stages import checks, tables  # noqa: E402
from nianbao.stages.context import Context  # noqa: E402
from nianbao.stages.normalise import normalise  # noqa: E402


def _docs() -> dict[str, list[tuple[str, Document]]]:
    import tables_fixtures as fx

    out: dict[str, list[tuple[str, Document]]] = {k: [] for k in ("text", "markdown", "html", "pdf", "docx")}
    if SHARED.is_dir():
        real = [*sorted((SHARED / "seeds").glob("00[02]_*.txt")),
                *(SHARED / "corpus" / "files" / f"r0{n}.txt" for n in (16, 18, 19, 21, 22)),
                SHARED / "corpus/files/r024.md", SHARED / "corpus/files/r025.md",
                SHARED / "corpus/files/r002.pdf", SHARED / "corpus/files/r003.pdf"]
        for p in real:
            doc = read(p)
            out[doc.media_type].append((p.name, doc))
    for fmt in ("gov_2019", "gov_2021"):
        values = fx.make_values(fmt)
        for layout in ("pipe", "tsv", "cell_per_line", "run_together", "markdown", "html", "docx"):
            data, suffix = fx.render(layout, fmt, values)
            doc = read_bytes(data, f"{layout}-{fmt}{suffix}", suffix)
            out[doc.media_type].append((f"{layout}-{fmt}", doc))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rows = []
    for kind, docs in _docs().items():
        times = []
        cells = 0
        for _name, doc in docs:
            norm = normalise(doc.text)
            best = float("inf")
            for _ in range(args.repeat):
                ctx = Context(doc=doc, norm=norm, report=Report(source=doc.source))
                t0 = time.perf_counter()
                tables.run(ctx)
                checks.run(ctx)
                best = min(best, time.perf_counter() - t0)
            cells += sum(1 for c in ctx.report.tables.values() if c.status not in ("absent", "derived"))
            times.append(best * 1000)
        if times:
            rows.append((kind, len(docs), statistics.mean(times), statistics.median(times), max(times), cells))
    print(f"{'input':10s} {'reports':>7s} {'mean ms':>9s} {'median ms':>10s} {'max ms':>8s} {'cells read':>10s}")
    for kind, n, mean, med, mx, cells in rows:
        print(f"{kind:10s} {n:7d} {mean:9.1f} {med:10.1f} {mx:8.1f} {cells:10d}")
    fastest = min(r[2] for r in rows)
    print("\nmean time relative to the fastest input type: "
          + ", ".join(f"{k} {m / fastest:.1f}x" for k, _n, m, _md, _mx, _c in rows))


if __name__ == "__main__":
    main()
