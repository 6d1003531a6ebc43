"""The ``nianbao`` command line.

Errors on input are one line ``nianbao: error: <file>: <reason>`` on stderr, never
a traceback; with several files the others are still processed and the exit
status says some failed. Heavy modules are imported inside commands so that
start-up stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

T = TypeVar("T")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Structured, validated, citable data from 政府信息公开工作年度报告.",
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(no_args_is_help=True, help="Train a model from annotations.")
evaluate_app = typer.Typer(no_args_is_help=True, help="Evaluate a stage against annotations.")
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")
labelstudio_app = typer.Typer(no_args_is_help=True, help="Annotate paragraphs in Label Studio and bring them back.")
app.add_typer(labelstudio_app, name="labelstudio")


def _err(line: str) -> None:
    sys.stderr.write(line.rstrip("\n") + "\n")
    sys.stderr.flush()


def _fail(source: str, reason: str) -> None:
    _err(f"nianbao: error: {source}: {reason}")


@app.command()
def text(file: Annotated[Path, typer.Argument(help="A report file (txt, md, html, pdf, docx).")]) -> None:
    """Print the document text that all offsets refer to."""
    from nianbao.errors import NianbaoError
    from nianbao.io.readers import read

    try:
        doc = read(file)
    except NianbaoError as exc:
        _err(exc.line())
        raise typer.Exit(1) from None
    sys.stdout.write(doc.text)
    if not doc.text.endswith("\n"):
        sys.stdout.write("\n")


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="Report files or folders of reports.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file or folder.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f",
                                            help="json | jsonl | csv | parquet | duckdb")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing output.")] = False,
    model: Annotated[Path | None, typer.Option("--model", help="Themes model folder to use.")] = None,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = None,
) -> None:
    """Extract reports to JSON (one file, stdout), JSON lines, or a batch export."""
    from nianbao import batch

    options = {"themes_model": str(model)} if model else {}
    code = batch.run_cli(files, output=output, fmt=fmt, jobs=jobs, force=force, options=options,
                         progress=progress, fail=_fail)
    raise typer.Exit(code)


@app.command()
def view(
    file: Annotated[Path, typer.Argument(help="A report file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("report.html"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a self-contained HTML page to review one report's extraction."""
    from nianbao.errors import NianbaoError

    try:
        from nianbao.present.view import write_view

        write_view(file, output, force=force)
    except NianbaoError as exc:
        _err(exc.line())
        raise typer.Exit(1) from None
    _err(f"nianbao: wrote {output}")


@app.command(epilog="Examples:\n\n  nianbao compare hz2023.pdf hz2024.pdf\n\n  nianbao compare pingtan/ --json")
def compare(
    paths: Annotated[list[Path], typer.Argument(help="Reports (files or folders) of one or more bodies.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print panel rows and cross-year checks as JSON.")] = False,
) -> None:
    """One body across years: core variables per year (with where each came from) and cross-year checks.

    Reports are lined up by issuer_id; Table 3's 上年结转 is checked against the previous year's
    结转下年度继续办理, and legacy running totals (历年累计) against the previous year plus this year.
    """
    import json as _json

    from nianbao.errors import NianbaoError
    from nianbao.pipeline import extract as _extract
    from nianbao.present import panel

    files = [f for p in paths for f in ([p] if p.is_file() else sorted(
        x for x in p.rglob("*") if x.is_file() and x.suffix.lower() in {".txt", ".md", ".html", ".htm", ".pdf",
                                                                        ".docx"}))]
    reports = []
    for f in files:
        try:
            reports.append(_extract(f))
        except NianbaoError as exc:
            _err(exc.line())
    if as_json:
        out = {"rows": panel.rows(reports), "checks": [c.model_dump() for c in panel.cross_year_checks(reports)]}
        sys.stdout.write(_json.dumps(out, ensure_ascii=False, default=str) + "\n")
    else:
        sys.stdout.write(panel.render(reports) + "\n")


def _module(name: str):  # type: ignore[no-untyped-def]
    import importlib

    try:
        return importlib.import_module(f"nianbao.{name}")
    except ModuleNotFoundError as exc:
        _err(f"nianbao: error: {name}: this component is not installed ({exc.name})")
        raise typer.Exit(2) from None


_TRAINING = Path("training_data")


def _guarded(output: Path, force: bool, action: Callable[[], T]) -> T:
    """Refuse to overwrite ``output`` without --force; turn a bad input into one error line."""
    from nianbao.errors import NianbaoError

    if output.exists() and not force:
        _fail(str(output), "output exists; use --force to overwrite it")
        raise typer.Exit(2)
    try:
        return action()
    except NianbaoError as exc:
        _err(exc.line())
        raise typer.Exit(1) from None


@evaluate_app.command("facts", epilog="Example:  nianbao evaluate facts --k 5")
def evaluate_facts(
    data: Annotated[Path, typer.Option(help="Folder of fact annotations.")] = _TRAINING / "facts",
    k: Annotated[int, typer.Option(help="Folds of publisher-grouped cross-validation.")] = 5,
    compare: Annotated[bool, typer.Option("--compare", help="Also score other model kinds on the same folds.")] = False,
) -> None:
    """Publisher-grouped CV of the fact classifier vs the rules: F1 mean±sd, per metric, learning curve."""
    mod = _module("train.facts_eval")
    result = mod.evaluate(data, k=k, compare=compare)
    sys.stdout.write(mod.format_table(result) + "\n")


@train_app.command("facts", epilog="Example:  nianbao train facts --out models/facts")
def train_facts(
    data: Annotated[Path, typer.Option(help="Folder of fact annotations.")] = _TRAINING / "facts",
    out: Annotated[Path, typer.Option(help="Model folder to write.")] = Path("models/facts"),
    cv: Annotated[int, typer.Option(help="Folds of the grouped CV stored in meta.json (0: skip).")] = 5,
) -> None:
    """Train the prose-fact classifier on stand-off gold, self-written sentences and table labels."""
    mod = _module("train.facts_release")
    meta = mod.train(out, data, cv=cv > 0, k=max(cv, 2))
    if "cv" in meta:
        f = meta["cv"]["f1_folds"]
        _err(f"nianbao: grouped {meta['cv']['k']}-fold CV: F1 {f['mean']:.3f} ± {f['sd']:.3f}")
    _err(f"nianbao: wrote {out}")


@evaluate_app.command("themes")
def evaluate_themes(
    data: Annotated[list[Path] | None, typer.Option(help="Paragraph annotation files (JSONL).")] = None,
    k: Annotated[int, typer.Option(help="Folds of cross-validation.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """k-fold cross-validated per-label P/R/F1 and role confusion of the themes classifier."""
    mod = _module("themes_eval")
    train_mod = _module("themes_train")
    files = data or train_mod.default_data()
    sys.stdout.write(mod.format_report(mod.evaluate(files, k=k, seed=seed)) + "\n")


@train_app.command("themes")
def train_themes(
    data: Annotated[list[Path] | None, typer.Option(help="Paragraph annotation files (JSONL).")] = None,
    out: Annotated[Path, typer.Option(help="Model folder to write.")] = Path("models/themes"),
    seed: Annotated[int, typer.Option(help="Random seed (training is deterministic).")] = 0,
    cv: Annotated[int, typer.Option(help="Folds of the cross-validation reported in MODEL_CARD.md (0: skip).")] = 5,
) -> None:
    """Train the paragraph role/theme classifier; use it with `extract --model OUT`."""
    mod = _module("themes_train")
    meta = mod.train(data or mod.default_data(), out, seed=seed, cv=cv)
    scores = meta.get("cv", {})
    if "micro_f1" in scores:
        _err(f"nianbao: {scores['k']}-fold CV: themes micro-F1 {scores['micro_f1']:.3f}, "
             f"role accuracy {scores['role_accuracy']:.3f}")
    _err(f"nianbao: wrote {out}")


@train_app.command("ner")
def train_ner(
    data: Annotated[Path, typer.Option(help="Folder of fact annotations.")] = _TRAINING / "facts",
    out: Annotated[Path, typer.Option(help="Model folder to write.")] = Path("models/ner"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Train the trainable entity component from annotations."""
    mod = _module("train_ner")
    mod.train(data, out, seed=seed)
    _err(f"nianbao: wrote {out}")


@labelstudio_app.command("export")
def labelstudio_export(
    file: Annotated[Path, typer.Argument(help="A report file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Tasks JSON to write.")] = Path("tasks.json"),
    doc_id: Annotated[str | None, typer.Option(help="Document id stored in each task.")] = None,
    model: Annotated[Path | None, typer.Option("--model", help="Themes model folder for pre-labels.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing output.")] = False,
) -> None:
    """Write a report's paragraphs, pre-labelled, as Label Studio tasks (+ labeling_config.xml)."""
    mod = _module("labelstudio")
    options = {"themes_model": str(model)} if model else None
    n = _guarded(output, force, lambda: mod.export_tasks(file, output, doc_id=doc_id, options=options))
    _err(f"nianbao: wrote {n} tasks to {output} and {output.with_name('labeling_config.xml')}")


@labelstudio_app.command("export-facts", epilog="Example:  nianbao labelstudio export-facts r.pdf -o facts_tasks.json")
def labelstudio_export_facts(
    files: Annotated[list[Path], typer.Argument(help="Report files (one task each).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Tasks JSON to write.")] = Path("facts_tasks.json"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing output.")] = False,
) -> None:
    """Write reports with their numbers pre-labelled by the fact model as Label Studio tasks."""
    mod = _module("train.labelstudio_facts")
    n = _guarded(output, force, lambda: mod.export_tasks(list(files), output))
    _err(f"nianbao: wrote {n} tasks to {output} and {output.with_name('labeling_config.xml')}")


@labelstudio_app.command("import-facts", epilog="Example:  nianbao labelstudio import-facts export.json -o gold/")
def labelstudio_import_facts(
    export: Annotated[Path, typer.Argument(help="A Label Studio JSON export of fact tasks.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for <doc>.jsonl stand-off gold.")],
) -> None:
    """Convert corrected fact tasks into stand-off gold (``<doc>.jsonl``) for `nianbao train facts`."""
    mod = _module("train.labelstudio_facts")
    from nianbao.errors import NianbaoError

    try:
        n, skipped = mod.import_annotations(export, output)
    except NianbaoError as exc:
        _err(exc.line())
        raise typer.Exit(1) from None
    for s in skipped:
        _err(f"nianbao: skipped {s}")
    _err(f"nianbao: wrote {n} records to {output}")


@labelstudio_app.command("import")
def labelstudio_import(
    export: Annotated[Path, typer.Argument(help="A Label Studio JSON export.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Annotation JSONL to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing output.")] = False,
) -> None:
    """Convert finished Label Studio annotations into training JSONL for `nianbao train themes`."""
    mod = _module("labelstudio")
    n, skipped = _guarded(output, force, lambda: mod.import_annotations(export, output))
    for s in skipped:
        _err(f"nianbao: skipped {s}")
    _err(f"nianbao: wrote {n} records to {output}")


def main() -> None:
    # One BLAS thread per process: our arrays are tiny, and spinning BLAS threads in every
    # --jobs worker oversubscribes the cores (measured 5x slower on 2 cores).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    try:
        app()
    except KeyboardInterrupt:
        _err("nianbao: interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
