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

from nianbao.context import Context  # noqa: E402
from nianbao.normalise import normalise  # noqa: E402
from nianbao.pipeline import STAGES  # noqa: E402
from nianbao.readers import read  # noqa: E402
from nianbao.schema import Report  # noqa: E402

GOALS = {"e2e_vs_rjieba": 0.25, "pdf_pages_s": 5.0, "startup_s": 1.5, "peak_rss_mb": 500.0, "jobs2_speedup": 1.7}


def corpus_files() -> list[Path]:
    if SHARED.exists():
        files = sorted((SHARED / "seeds").glob("*")) + sorted((SHARED / "corpus" / "files").glob("*"))
    else:
        files = sorted(p for p in (ROOT / "examples").glob("*") if p.is_file() and p.suffix != ".json")
    return [f for f in files if f.is_file()]


def timed(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def stage_throughput(files: list[Path]) -> tuple[dict[str, float], dict[str, list[float]], int, int]:
    """chars/s per stage over all files (one pass after a warm-up), plus per-media-type seconds and PDF pages."""
    import rjieba

    docs = [read(f) for f in files]  # warm-up and cache
    chars = sum(len(d.text) for d in docs)
    out: dict[str, float] = {}
    out["rjieba (ceiling)"] = chars / timed(lambda: [rjieba.cut(d.text) for d in docs], repeat=3)
    out["read"] = chars / timed(lambda: [read(f) for f in files])
    out["normalise"] = chars / timed(lambda: [normalise(d.text) for d in docs])
    per_stage = {name: 0.0 for name, _ in STAGES}
    per_type: dict[str, list[float]] = {}
    text_chars = 0
    pages = 0
    pdf_seconds = 0.0
    for timed_pass in (False, True):  # the first pass loads models and warms caches
        for f in files:
            t0 = time.perf_counter()
            doc = read(f)
            ctx = Context(doc=doc, norm=normalise(doc.text), report=Report(source=doc.source))
            for name, module in STAGES:
                mod = importlib.import_module(module)
                t = time.perf_counter()
                mod.run(ctx)
                if timed_pass:
                    per_stage[name] += time.perf_counter() - t
            total = time.perf_counter() - t0
            if not timed_pass:
                continue
            per_type.setdefault(doc.media_type, []).append(total)
            if doc.media_type in ("text", "markdown"):
                text_chars += len(doc.text)
            if doc.media_type == "pdf":
                pages += doc.pages or 0
                pdf_seconds += total
    for name, secs in per_stage.items():
        if secs > 0:
            out[name] = chars / secs
    text_secs = sum(sum(per_type.get(k, [])) for k in ("text", "markdown"))
    out["end-to-end, text inputs"] = text_chars / text_secs if text_secs else float("nan")
    out["end-to-end, all inputs"] = chars / sum(sum(v) for v in per_type.values())
    return out, per_type, pages, int(pdf_seconds * 1000)


def startup_seconds(small: Path) -> float:
    exe = ROOT / ".venv" / "bin" / "nianbao"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "nianbao.cli"]
    subprocess.run([*cmd, "extract", str(small)], capture_output=True)  # warm OS caches
    return timed(lambda: subprocess.run([*cmd, "extract", str(small)], capture_output=True, check=True), repeat=3)


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
    ap.add_argument("--speedup-reports", type=int, default=400, help="reports for the --jobs 2 vs 1 comparison")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = ap.parse_args()
    files = corpus_files()
    rates, per_type, pages, pdf_ms = stage_throughput(files)
    ceiling = rates["rjieba (ceiling)"]
    small = min((f for f in files if f.suffix == ".txt"), key=lambda p: p.stat().st_size)
    start = startup_seconds(small)
    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        make_batch(work / "many", args.reports, files)
        wall_n, rss = batch_run(work / "many", work / "many_out", jobs=2)
        make_batch(work / "few", args.speedup_reports, files)
        wall1, _ = batch_run(work / "few", work / "few1", jobs=1)
        wall2, _ = batch_run(work / "few", work / "few2", jobs=2)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pdf_rate = pages / (pdf_ms / 1000) if pdf_ms else float("nan")
    lines = ["# Benchmark results", "", f"Machine: {os.cpu_count()} cores; corpus: {len(files)} documents, "
             f"{'shared' if SHARED.exists() else 'examples'}; Python {sys.version.split()[0]}.", "",
             "## Throughput per stage (chars/s, ratio to bare rjieba tokenisation of the same texts)", "",
             "| stage | chars/s | ratio to rjieba |", "|---|---:|---:|"]
    for name, rate in rates.items():
        lines.append(f"| {name} | {rate:,.0f} | {rate / ceiling:.1%} |")
    lines += ["", "## End to end per input type", "", "| input | reports | reports/s |", "|---|---:|---:|"]
    for mt, secs in sorted(per_type.items()):
        lines.append(f"| {mt} | {len(secs)} | {len(secs) / sum(secs):.1f} |")
    e2e_ratio = rates["end-to-end, text inputs"] / ceiling
    jobs_speedup = wall1 / wall2
    checks = [
        ("end-to-end text pipeline vs rjieba", f"{e2e_ratio:.1%}", GOALS["e2e_vs_rjieba"] <= e2e_ratio, "≥ 25%"),
        ("PDF pages/s", f"{pdf_rate:.1f}", pdf_rate >= GOALS["pdf_pages_s"], "≥ 5"),
        ("CLI start-up, one small file (s)", f"{start:.2f}", start <= GOALS["startup_s"], "≤ 1.5"),
        (f"peak RSS streaming {args.reports} reports to Parquet (MB)", f"{rss:.0f}", rss <= GOALS["peak_rss_mb"],
         "≤ 500"),
        (f"--jobs 2 vs --jobs 1 ({args.speedup_reports} reports)", f"{jobs_speedup:.2f}×",
         jobs_speedup >= GOALS["jobs2_speedup"], "≥ 1.7×"),
    ]
    lines += ["", "## Goals", "", "| measure | value | goal | met |", "|---|---:|---:|:---:|"]
    lines += [f"| {name} | {value} | {goal} | {'yes' if ok else 'NO'} |" for name, value, ok, goal in checks]
    lines += ["", f"Batch of {args.reports} reports with --jobs 2 took {wall_n:.0f} s "
              f"({args.reports / wall_n:.0f} reports/s)."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
