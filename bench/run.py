"""Benchmarks, measured in one run and reported as ratios (never as timed unit tests).

    python bench/run.py [--reports 10000] [--quick]

Writes bench/results.md: bare rjieba tokenisation (the ceiling) vs each stage's
chars/s, end-to-end reports/s per input type, PDF pages/s, CLI start-up, peak RSS
while streaming many reports to Parquet, and the --jobs 2 speed-up.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "nlp"))

from nianbao.io.readers import read  # noqa: E402
from nianbao.pipeline import STAGES  # noqa: E402
from nianbao.schema import Document, Report  # noqa: E402
from nianbao.stages.context import Context  # noqa: E402
from nianbao.stages.normalise import normalise  # noqa: E402
from timing import best_of  # noqa: E402

GOALS = {"e2e_vs_rjieba": 0.25, "pdf_pages_s": 5.0, "startup_s": 1.5, "peak_rss_mb": 500.0, "jobs2_speedup": 1.7}


def corpus_files() -> list[Path]:
    """The shared corpus, plus bundled examples of input types it lacks (DOCX), so every type is measured."""
    examples = sorted(p for p in (ROOT / "examples").glob("*") if p.is_file() and p.suffix not in (".json", ".py"))
    if not SHARED.exists():
        return examples
    files = [f for f in sorted((SHARED / "seeds").glob("*")) + sorted((SHARED / "corpus" / "files").glob("*"))
             if f.is_file()]
    have = {f.suffix for f in files}
    return files + [e for e in examples if e.suffix not in have]


def stage_throughput(files: list[Path], repeats: int = 3) -> tuple[dict[str, float], dict[str, list[float]], int, int]:
    """chars/s per stage, plus per-media-type seconds and PDF pages.

    The ceiling is bare rjieba in a hot loop over all texts (best of 5), as a tokeniser runs alone.
    After a warm-up pass (models load, caches fill), ``repeats`` passes run every file through
    each stage in turn; each (file, stage) keeps its fastest pass.
    """
    import rjieba

    docs = [read(f) for f in files]
    chars = sum(len(d.text) for d in docs)
    out: dict[str, float] = {"rjieba (ceiling)": chars / best_of(lambda: [rjieba.cut(d.text) for d in docs], repeat=5)}
    out.update(_hanlp_rate(docs, chars))
    names = ["read", "normalise", *(name for name, _ in STAGES)]
    best: dict[tuple[int, str], float] = {}
    totals: dict[int, float] = {}
    for timed_pass in range(repeats + 1):  # pass 0 loads models and warms caches
        for i, f in enumerate(files):
            t0 = time.perf_counter()
            doc = read(f)
            times = {"read": time.perf_counter() - t0}
            t = time.perf_counter()
            ctx = Context(doc=doc, norm=normalise(doc.text), report=Report(source=doc.source))
            times["normalise"] = time.perf_counter() - t
            for name, module in STAGES:
                mod = importlib.import_module(module)
                t = time.perf_counter()
                mod.run(ctx)
                times[name] = time.perf_counter() - t
            total = time.perf_counter() - t0
            if timed_pass:
                for name, secs in times.items():
                    best[i, name] = min(best.get((i, name), secs), secs)
                totals[i] = min(totals.get(i, total), total)
    for name in names:
        secs = sum(best[i, name] for i in range(len(files)))
        out[name] = chars / secs if secs > 0 else float("nan")
    per_type: dict[str, list[float]] = {}
    text_chars = pages = 0
    pdf_seconds = 0.0
    for i, doc in enumerate(docs):
        per_type.setdefault(doc.media_type, []).append(totals[i])
        if doc.media_type in ("text", "markdown"):
            text_chars += len(doc.text)
        if doc.media_type == "pdf":
            pages += doc.pages or 0
            pdf_seconds += totals[i]
    text_secs = sum(sum(per_type.get(k, [])) for k in ("text", "markdown"))
    out["end-to-end, text inputs"] = text_chars / text_secs if text_secs else float("nan")
    out["end-to-end, all inputs"] = chars / sum(sum(v) for v in per_type.values())
    return out, per_type, pages, int(pdf_seconds * 1000)


def _hanlp_rate(docs: list[Document], chars: int) -> dict[str, float]:
    """The optional HanLP segmenter on the same texts, when its extra is installed."""
    from nianbao.lang import hanlp_backend

    if not hanlp_backend.available():
        return {}
    seg = hanlp_backend.HanlpSegmenter()
    list(seg.spans("预热"))  # builds the trie outside the timing
    return {"HanLP segmenter (optional extra)": chars / best_of(lambda: [list(seg.spans(d.text)) for d in docs], 3)}


def startup_seconds(small: Path) -> float:
    exe = ROOT / ".venv" / "bin" / "nianbao"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "nianbao.cli"]
    subprocess.run([*cmd, "extract", str(small)], capture_output=True)  # warm OS caches
    return best_of(lambda: subprocess.run([*cmd, "extract", str(small)], capture_output=True, check=True), repeat=3)


def make_batch(folder: Path, n: int, files: list[Path]) -> None:
    """n small reports: the text files of the corpus repeated with a unique suffix each."""
    # the shortest real reports, repeated: the point is memory while streaming, not per-report cost
    texts = sorted((read(f).text for f in files if f.suffix in (".txt", ".md")), key=len)[:3]
    texts = texts or ["某县2020年政府信息公开工作年度报告\n"]
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"r{i:05d}.txt").write_text(texts[i % len(texts)] + f"\n{i}\n", encoding="utf-8")


def batch_run(folder: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, largest process) of `nianbao extract --format parquet`."""
    exe = ROOT / ".venv" / "bin" / "nianbao"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "nianbao.cli"]
    t = time.perf_counter()
    res = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd, "extract", str(folder), "-o", str(out),
                          "--format", "parquet", "--jobs", str(jobs), "--force", "--no-progress"],
                         capture_output=True, text=True)
    wall = time.perf_counter() - t
    rss_kb = [int(x) for x in res.stderr.split() if x.isdigit()]
    return wall, (rss_kb[-1] / 1024 if rss_kb else float("nan"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=10_000, help="reports streamed for the RSS measurement")
    ap.add_argument("--speedup-reports", type=int, nargs="+", default=[400, 2000],
                    help="batch sizes for the --jobs 2 vs 1 comparison (fixed start-up and finish costs weigh more "
                         "on small batches)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    ap.add_argument("--stages-only", action="store_true", help="print the per-stage table and stop (no file written)")
    args = ap.parse_args()
    files = corpus_files()
    rates, per_type, pages, pdf_ms = stage_throughput(files)
    if args.stages_only:
        ceiling = rates["rjieba (ceiling)"]
        print("\n".join(f"{name:36s} {rate:>12,.0f} {rate / ceiling:7.1%}" for name, rate in rates.items()))
        return
    ceiling = rates["rjieba (ceiling)"]
    small = min((f for f in files if f.suffix == ".txt"), key=lambda p: p.stat().st_size)
    start = startup_seconds(small)
    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        make_batch(work / "many", args.reports, files)
        wall_n, rss = batch_run(work / "many", work / "many_out", jobs=2)
        speedups: list[tuple[int, float, float]] = []
        for n in args.speedup_reports:
            make_batch(work / f"few{n}", n, files)
            # alternated and best of two each: one slow moment should not decide the speed-up
            runs = [batch_run(work / f"few{n}", work / f"few{n}_{j}_{k}", jobs=j)[0] for k in range(2) for j in (1, 2)]
            speedups.append((n, min(runs[0::2]), min(runs[1::2])))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pdf_rate = pages / (pdf_ms / 1000) if pdf_ms else float("nan")
    lines = ["# Benchmark results", "", f"Machine: {os.cpu_count()} cores; corpus: {len(files)} documents, "
             f"{'shared + examples of missing input types' if SHARED.exists() else 'examples'}; "
             f"Python {sys.version.split()[0]}.", "",
             "## Throughput per stage (chars/s, ratio to bare rjieba tokenisation of the same texts)", "",
             "| stage | chars/s | ratio to rjieba |", "|---|---:|---:|"]
    for name, rate in rates.items():
        lines.append(f"| {name} | {rate:,.0f} | {rate / ceiling:.1%} |")
    lines += ["", "## End to end per input type", "", "| input | reports | reports/s |", "|---|---:|---:|"]
    for mt, secs in sorted(per_type.items()):
        lines.append(f"| {mt} | {len(secs)} | {len(secs) / sum(secs):.1f} |")
    e2e_ratio = rates["end-to-end, text inputs"] / ceiling
    checks = [
        ("end-to-end text pipeline vs rjieba", f"{e2e_ratio:.1%}", GOALS["e2e_vs_rjieba"] <= e2e_ratio, "≥ 25%"),
        ("PDF pages/s", f"{pdf_rate:.1f}", pdf_rate >= GOALS["pdf_pages_s"], "≥ 5"),
        ("CLI start-up, one small file (s)", f"{start:.2f}", start <= GOALS["startup_s"], "≤ 1.5"),
        (f"peak RSS streaming {args.reports} reports to Parquet (MB)", f"{rss:.0f}", rss <= GOALS["peak_rss_mb"],
         "≤ 500"),
    ]
    checks += [(f"--jobs 2 vs --jobs 1 ({n} reports: {w1:.1f} s vs {w2:.1f} s)", f"{int(w1 / w2 * 100) / 100:.2f}×",
                w1 / w2 >= GOALS["jobs2_speedup"], "≥ 1.7×") for n, w1, w2 in speedups]
    lines += ["", "## Goals", "", "| measure | value | goal | met |", "|---|---:|---:|:---:|"]
    lines += [f"| {name} | {value} | {goal} | {'yes' if ok else 'NO'} |" for name, value, ok, goal in checks]
    lines += ["", f"Batch of {args.reports} reports with --jobs 2 took {wall_n:.0f} s "
              f"({args.reports / wall_n:.0f} reports/s).", "",
              "Notes: the ceiling is bare rjieba in a hot loop (best of 5); between processes on this virtual machine it "
              "has been seen anywhere from 3.6 to 6.8 M chars/s, and every ratio above moves with it. Each stage keeps "
              "its fastest of 3 passes. The speed-up includes the fixed costs of a batch (process start-up, the final "
              "conversion of the staged reports), which weigh more on a small batch."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
