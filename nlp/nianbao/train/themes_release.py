"""Train the themes model, evaluate it by publisher-grouped CV and write it with its card (``nianbao train themes``).

It sits above ``themes_train`` (fitting, data loading) and ``themes_eval`` (cross-validation, the card), which
therefore never import each other.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from nianbao.errors import NianbaoError
from nianbao.stages.themes import MODEL_FILE
from nianbao.train.themes_eval import compare as run_compare
from nianbao.train.themes_eval import cross_validate, learning_curve, model_card, sklearn_backend
from nianbao.train.themes_train import data_hash, fit, load_items


def train(data: list[Path], out: Path, seed: int = 0, config: dict[str, Any] | None = None,
          evaluation: dict[str, Any] | None = None, cv: int = 5, repeats: int = 1, n_jobs: int = 1,
          compare: bool = False, curve: bool = False, startup: dict[str, Any] | None = None) -> dict[str, Any]:
    """Train on JSONL files and write ``out/``: ``model.skops``, ``meta.json`` and ``MODEL_CARD.md``; return meta.

    Unless ``evaluation`` is given, a grouped ``cv``-fold cross-validation of the same configuration runs
    first so that the card reports held-out metrics (``cv=0`` skips it; a CV that cannot run on tiny
    data is noted in meta instead of failing the training). ``compare`` adds the model comparison
    table, ``curve`` the learning curve, ``startup`` measured CLI start-up figures to the card.
    """
    t0 = time.perf_counter()
    loaded = load_items(data)
    if evaluation is None and cv >= 2:
        try:
            evaluation = cross_validate(loaded.items, cv, seed, sklearn_backend(config), name="sklearn",
                                        repeats=repeats, n_jobs=n_jobs)
        except NianbaoError as exc:
            evaluation = None
            cv_note = f"cross-validation not run: {exc.reason}"
        else:
            cv_note = ""
    else:
        cv_note = "" if evaluation else "cross-validation not run (cv=0)"
    model = fit(loaded.items, config, seed)
    meta = model.meta
    meta["data_sha256"] = data_hash(loaded.items)
    meta["data_files"] = loaded.files
    meta["n_items"] = len(loaded.items)
    meta["skipped"] = len(loaded.skipped)
    real = [it for it in loaded.items if it.real]
    meta["n_real"] = len(real)
    meta["n_documents"] = len({it.source.split(":")[0] for it in real})
    meta["n_publishers"] = len({it.group for it in real})
    meta["role_counts"] = dict(sorted(Counter(it.role for it in loaded.items).items()))
    meta["theme_counts"] = dict(sorted(Counter(t for it in loaded.items for t in it.themes).items()))
    meta["real_role_counts"] = dict(sorted(Counter(it.role for it in real).items()))
    meta["real_theme_counts"] = dict(sorted(Counter(t for it in real for t in it.themes).items()))
    meta["train_seconds"] = round(time.perf_counter() - t0, 1)
    if evaluation:
        meta["cv"] = {"micro_f1": evaluation["themes"]["micro"]["f1"], "role_accuracy": evaluation["role"]["accuracy"],
                      "k": evaluation["k"], "repeats": evaluation.get("repeats", 1),
                      "fold_micro_f1": evaluation.get("folds", {}).get("micro_f1"),
                      "fold_role_accuracy": evaluation.get("folds", {}).get("role_accuracy")}
    elif cv_note:
        meta["cv"] = {"note": cv_note}
    comparison = run_compare(data, cv, seed, repeats=repeats, n_jobs=n_jobs) if compare and cv >= 2 else None
    lc = learning_curve(data, k=cv, seed=seed, config=config, n_jobs=n_jobs) if curve and cv >= 2 else None
    if startup:
        meta["startup"] = startup
    model.save(Path(out))
    meta["model_bytes"] = (Path(out) / MODEL_FILE).stat().st_size
    model.save_meta(Path(out))  # now with the size recorded
    (Path(out) / "MODEL_CARD.md").write_text(model_card(meta, evaluation, comparison, lc, startup), encoding="utf-8")
    return meta
