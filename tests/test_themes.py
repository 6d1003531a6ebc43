"""Paragraph role/theme classification: shipped model, script invariance, training, publisher-grouped
evaluation, loading safety, and the numpy export against its scikit-learn original."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.errors import NianbaoError
from nianbao.io.readers import read_bytes
from nianbao.pipeline import extract, process
from nianbao.stages.normalise import normalise
from nianbao.stages.themes import (
    COMPILED_FILE,
    CompiledModel,
    Item,
    ThemeModel,
    analyze,
    compile_model,
    default_model_dir,
    feature_text,
    label_set,
    load_model,
)
from nianbao.train.themes_eval import cross_validate, sklearn_backend
from nianbao.train.themes_release import train
from nianbao.train.themes_train import data_hash, fit, group_folds, load_items

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "training_data" / "paragraphs" / "synthetic.jsonl"

REPORT = """示例区2023年政府信息公开工作年度报告
一、总体情况
2023年，我区依托区政府门户网站和政务新媒体主动公开各类政府信息二千余条，及时更新政策文件栏目，做到应公开尽公开。
全年组织政务公开业务培训三期，培训各部门工作人员一百二十人次，进一步提升了工作人员的业务能力。
二、主动公开政府信息情况
规章 | 0 | 0 | 0
五、存在的主要问题及改进情况
我区政务公开工作仍存在不足：部分单位政策解读形式单一，回应社会关切不够及时。
下一步，我区将把政务公开纳入年度绩效考核，加强督查通报，推动问题整改落实。
六、其他需要报告的事项
本年度未收取信息处理费。
"""


def _synthetic(n: int | None = None) -> list[dict]:
    rows = [json.loads(x) for x in SYNTHETIC.read_text(encoding="utf-8").splitlines() if x.strip()]
    return rows[:n] if n else rows


@pytest.fixture(scope="module")
def shipped() -> CompiledModel:
    if not (default_model_dir() / COMPILED_FILE).is_file():
        pytest.skip("shipped themes model not built")
    return load_model(None)


def _assert_same(sk: ThemeModel, compiled: CompiledModel, items: list[Item]) -> None:
    """Compiled scores equal scikit-learn's predict_proba within 1e-6, and every label is identical."""
    a_themes, a_role = sk.proba(items)
    b_themes, b_role = compiled.proba(items)
    assert a_themes.shape == b_themes.shape and a_role.shape == b_role.shape
    assert abs(a_themes - b_themes).max() < 1e-6
    assert abs(a_role - b_role).max() < 1e-6
    assert [(p.role, p.themes) for p in sk.predict(items)] == [(p.role, p.themes) for p in compiled.predict(items)]


def test_label_set_matches_spec() -> None:
    labels = label_set()
    assert labels["roles"] == ["achievement", "problem", "measure", "plan", "other"]
    assert len(labels["themes"]) == 12 and len(set(labels["themes"])) == 12


def test_shipped_model_labels_a_report(shipped: CompiledModel) -> None:
    report = extract(REPORT)
    paras = report.paragraphs
    assert [p.section for p in paras] == ["overview", "overview", "problems", "problems", "other"]
    keys = ("2023年，我区依", "全年组织政务公开", "我区政务公开工作", "下一步，我区将把")
    first, training, problem, plan = (next(p for p in paras if REPORT[p.start : p.end].startswith(k)) for k in keys)
    assert first.role == "achievement" and "platforms" in first.themes
    assert "capacity_training" in training.themes
    assert problem.role == "problem" and "interpretation_response" in problem.themes
    assert plan.role == "plan" and "oversight" in plan.themes
    for p in paras:
        assert set(p.themes) <= set(label_set()["themes"])
        assert all(0.0 <= v <= 1.0 for v in p.scores.values())
        assert abs(sum(v for k, v in p.scores.items() if k.startswith("role:")) - 1.0) < 0.01


def test_traditional_twins_get_the_same_labels(shipped: CompiledModel) -> None:
    """Features are on normalised text: every traditional twin is classified like its simplified original."""
    rows = _synthetic()
    by_id = {r["id"]: r for r in rows}
    twins = [(by_id[r["id"][:-1]], r) for r in rows if r["script"] == "traditional"]
    assert len(twins) >= 40
    items = []
    for simp, trad in twins:
        for r in (simp, trad):
            items.append(Item(text=feature_text(normalise(r["text"]).text), section=r["section"],
                              format_id=r["format_id"]))
    preds = shipped.predict(items)
    for i in range(0, len(preds), 2):
        assert (preds[i].role, preds[i].themes) == (preds[i + 1].role, preds[i + 1].themes)


def test_traditional_report_matches_simplified_report(shipped: CompiledModel) -> None:
    import opencc

    trad = opencc.OpenCC("s2tw").convert(REPORT).replace("門戶網站", "入口網站").replace("網絡", "網路")
    a, b = extract(REPORT), extract(trad)
    assert [(p.role, p.themes) for p in a.paragraphs] == [(p.role, p.themes) for p in b.paragraphs]
    assert b.script in ("traditional", "mixed")


# tiny training sets: scikit-learn warns about sparse labels, which is the point here
@pytest.mark.filterwarnings("ignore::UserWarning:sklearn")
def test_tiny_training_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    simplified = [r for r in _synthetic() if r["script"] == "simplified"]
    rows = [r for role in label_set()["roles"] for r in simplified if r["role"] == role][::6][:40]
    assert len({r["role"] for r in rows}) >= 3
    data = tmp_path / "tiny.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    m1 = train([data], tmp_path / "m1", seed=0, cv=3)
    m2 = train([data], tmp_path / "m2", seed=0, cv=3)
    assert m1["data_sha256"] == m2["data_sha256"] == data_hash(load_items([data]).items)
    card = (tmp_path / "m1" / "MODEL_CARD.md").read_text(encoding="utf-8")
    # self-written paragraphs are never tested: without real ones the card says why there is no CV
    assert card.startswith("# nianbao") and "cross-validation not run" in card and m1["n_real"] == 0
    assert (tmp_path / "m1" / COMPILED_FILE).is_file() and m1["compiled"]["n_features"] > 100
    loaded = ThemeModel.load(tmp_path / "m1")
    again = ThemeModel.load(tmp_path / "m2")
    items = load_items([data]).items
    assert [(p.role, p.themes, p.scores) for p in loaded.predict(items)] == \
        [(p.role, p.themes, p.scores) for p in again.predict(items)]
    # tiny data: logistic-regression fallbacks (and constant labels) compile exactly too
    assert m1["config"]["theme_model"] == m1["config"]["role_model"] == "logreg"
    assert m1["compiled"]["role_mode"] == "softmax"
    import numpy as np

    with np.load(tmp_path / "m1" / COMPILED_FILE) as a, np.load(tmp_path / "m2" / COMPILED_FILE) as b:
        assert a.files == b.files and all(np.array_equal(a[k], b[k]) for k in a.files)  # same weights, bit for bit
    _assert_same(loaded, CompiledModel.load(tmp_path / "m1"), items)
    # the pipeline uses a user model given as option
    doc = read_bytes(REPORT.encode("utf-8"), "r.txt", ".txt")
    report = process(doc, options={"themes_model": str(tmp_path / "m1")})
    assert len(report.paragraphs) == 5 and all(p.role for p in report.paragraphs)


def test_compiled_shipped_model_equals_sklearn(shipped: CompiledModel) -> None:
    """The pipeline's numpy-only model scores like the skops model it was compiled from (200+ paragraphs)."""
    items = load_items([SYNTHETIC]).items
    assert len(items) >= 200
    _assert_same(ThemeModel.load(default_model_dir()), shipped, items)
    assert shipped.meta["compiled"]["role_mode"] in ("platt", "softmax")


# tiny training sets: scikit-learn warns about sparse labels, which is the point here
@pytest.mark.filterwarnings("ignore::UserWarning:sklearn")
def test_compiled_word_features_and_constant_labels() -> None:
    """Word n-grams from the project's tokenizer and a label without positives (constant predictor) export too."""
    items = load_items([SYNTHETIC]).items[::3]
    for it in items:
        it.themes = [t for t in it.themes if t != "oversight"]
    model = fit(items, {"words": True, "tune_thresholds": False}, seed=0)
    arrays, compiled = compile_model(model)
    assert [b["name"] for b in compiled["blocks"]] == ["chars", "words", "tags"]
    j = label_set()["themes"].index("oversight")
    assert arrays["theme_const"][j] == 0.0
    _assert_same(model, CompiledModel(arrays, {**model.meta, "compiled": compiled}), items)


def test_sklearn_pipelines_give_the_model_scores(shipped: CompiledModel) -> None:
    """The skops artefact is a plain scikit-learn model: its Pipelines score rows() like ThemeModel.proba."""
    import numpy as np

    from nianbao.stages.themes import rows

    model = ThemeModel.load(default_model_dir())
    themes_pipe, role_pipe = model.pipelines()
    items = load_items([SYNTHETIC]).items[:50]
    X = rows(items, model.uses_words)
    t, r = model.proba(items)
    assert np.allclose(themes_pipe.predict_proba(X), t) and np.allclose(role_pipe.predict_proba(X), r)


def test_analyzer_matches_sklearn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    text = "Ab  cd\t依申请公开 ab\n\n(一)政府 信息"
    for kwargs in ({"analyzer": "char", "ngram_range": (1, 3)}, {"analyzer": "char", "ngram_range": (2, 4)},
                   {"analyzer": "word", "token_pattern": r"\S+", "ngram_range": (1, 2)},
                   {"analyzer": "word", "ngram_range": (2, 3), "lowercase": False}):
        vec = TfidfVectorizer(**kwargs)  # type: ignore[arg-type]
        spec = {"lowercase": True, "token_pattern": vec.token_pattern, **kwargs}
        assert analyze(text, spec) == vec.build_analyzer()(text), kwargs


def test_pipeline_stage_does_not_import_sklearn() -> None:
    """The themes stage runs on numpy alone: scikit-learn/scipy/skops would cost seconds of start-up."""
    code = (
        "import sys\n"
        "from nianbao.pipeline import extract\n"
        "import nianbao.stages.themes\n"
        f"report = extract({REPORT!r}, skip=['tables', 'checks', 'facts', 'merge'])\n"
        "assert len(report.paragraphs) == 5 and all(p.role for p in report.paragraphs), report.paragraphs\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy', 'skops'))\n"
        "print(len(heavy), heavy[:5])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("0 []"), out.stdout


def test_compiled_model_refuses_pickles_and_mismatches(tmp_path: Path, shipped: CompiledModel) -> None:
    import numpy as np

    from nianbao.stages.themes import META_FILE

    meta = json.loads((default_model_dir() / META_FILE).read_text(encoding="utf-8"))
    (tmp_path / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    np.savez(tmp_path / COMPILED_FILE, W=np.array([{"x": 1}], dtype=object))  # an object array needs pickle
    with pytest.raises(NianbaoError, match="not a usable compiled"):
        CompiledModel.load(tmp_path)
    with np.load(default_model_dir() / COMPILED_FILE, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["W"] = arrays["W"][:-1]  # one feature short: stale weights
    np.savez(tmp_path / COMPILED_FILE, **arrays)
    with pytest.raises(NianbaoError, match="does not match"):
        CompiledModel.load(tmp_path)


def test_model_without_compiled_file_is_compiled_on_load(tmp_path: Path, shipped: CompiledModel) -> None:
    """A user model folder holding only model.skops + meta.json still loads (exported in memory)."""
    import shutil

    from nianbao.stages.themes import META_FILE, MODEL_FILE

    shutil.copy(default_model_dir() / MODEL_FILE, tmp_path / MODEL_FILE)
    meta = json.loads((default_model_dir() / META_FILE).read_text(encoding="utf-8"))
    meta.pop("compiled")
    (tmp_path / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    items = load_items([SYNTHETIC]).items[:30]
    old = CompiledModel.load(tmp_path)
    assert [(p.role, p.themes, p.scores) for p in old.predict(items)] == \
        [(p.role, p.themes, p.scores) for p in shipped.predict(items)]


def _fake_real(n_publishers: int = 6) -> list[Item]:
    """Self-written items, a third of them posing as real paragraphs of n publishers (fold-logic tests)."""
    items = load_items([SYNTHETIC]).items
    for i, it in enumerate(items):
        if i % 3 == 0:
            it.real, it.group = True, f"pub:{(i // 3) % n_publishers}"
    return items


def test_folds_hold_real_paragraphs_only_and_keep_publishers_apart() -> None:
    items = _fake_real()
    folds = group_folds(items, 5, seed=0)
    assert len(folds) == 5
    tested: list[int] = []
    for train_idx, test_idx in folds:
        assert all(items[i].real for i in test_idx)
        assert {items[i].group for i in test_idx}.isdisjoint({items[i].group for i in train_idx if items[i].real})
        assert all(i in set(train_idx.tolist()) for i, it in enumerate(items) if not it.real)
        tested += test_idx.tolist()
    assert sorted(tested) == [i for i, it in enumerate(items) if it.real]


@pytest.mark.filterwarnings("ignore::UserWarning:sklearn")
def test_cross_validation_reports_real_only_scores_with_spread() -> None:
    items = _fake_real()
    res = cross_validate(items, 3, 0, sklearn_backend({"tune_thresholds": False}), repeats=2)
    assert res["n"] == sum(it.real for it in items) and res["n_train_only"] == len(items) - res["n"]
    assert res["folds"]["micro_f1"]["n"] == 6 and res["folds"]["micro_f1"]["sd"] >= 0.0
    assert sum(sum(row.values()) for row in res["role"]["confusion"].values()) == res["n"]
    assert len(res["repeats_pooled"]) == 2
    assert 0.0 < res["themes"]["micro"]["f1"] <= 1.0


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning:sklearn")
def test_publisher_grouped_cv_floor(shared_dir: Path) -> None:
    """A floor, not a pin: on real paragraphs of publishers left out of training (fixed 0.5 thresholds, 3 folds,
    so it runs in a test), themes micro-F1 and role accuracy stay above what the first model reached on unseen
    publishers (issue #13: 0.58 and 0.76)."""
    from nianbao.train.themes_train import default_data

    items = load_items(default_data()).items
    if sum(it.real for it in items) < 300:
        pytest.skip("fewer than 300 real paragraphs available")
    res = cross_validate(items, 3, 0, sklearn_backend({"tune_thresholds": False}))
    assert res["themes"]["micro"]["f1"] >= 0.68, res["themes"]["micro"]
    assert res["role"]["accuracy"] >= 0.80, res["role"]["accuracy"]


def test_fit_learns_its_training_data() -> None:
    items = load_items([SYNTHETIC]).items[::4]
    model = fit(items, {"tune_thresholds": False}, seed=0)
    preds = model.predict(items)
    acc = sum(p.role == it.role for p, it in zip(preds, items, strict=True)) / len(items)
    assert acc > 0.9


def test_bad_records_are_skipped_not_fatal(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('not json\n{"id": "x", "text": "全年公开信息一百条。", "role": "winner", "themes": []}\n'
                    '{"doc": "r999", "start": 0, "end": 5, "sha1": "0", "role": "other", "themes": []}\n'
                    '{"id": "y", "text": "全年公开信息一百条。", "role": "other", "themes": ["proactive_disclosure"]}\n',
                    encoding="utf-8")
    rep = load_items([data])
    assert len(rep.items) == 1 and len(rep.skipped) == 3


def test_missing_or_untrusted_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NianbaoError):
        ThemeModel.load(tmp_path)
    import skops.io as sio

    from nianbao.stages.themes import META_FILE, MODEL_FILE

    class Sneaky:  # not in TRUSTED_TYPES
        pass

    sio.dump({"x": Sneaky()}, tmp_path / MODEL_FILE)
    (tmp_path / META_FILE).write_text("{}", encoding="utf-8")
    with pytest.raises(NianbaoError, match="not trusted"):
        ThemeModel.load(tmp_path)


def test_missing_user_model_warns_and_keeps_paragraphs(tmp_path: Path) -> None:
    doc = read_bytes(REPORT.encode("utf-8"), "r.txt", ".txt")
    report = process(doc, options={"themes_model": str(tmp_path / "nowhere")})
    assert len(report.paragraphs) == 5 and all(p.role is None for p in report.paragraphs)
    assert any(w.code == "themes_model_missing" for w in report.warnings)


def test_shipped_model_files_and_card(shipped: CompiledModel) -> None:
    d = default_model_dir()
    assert (d / "model.skops").stat().st_size < 6_000_000
    assert (d / COMPILED_FILE).stat().st_size < 6_000_000
    card = (d / "MODEL_CARD.md").read_text(encoding="utf-8")
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    assert meta["data_sha256"] in card and meta["version"] in card
    for t in label_set()["themes"]:
        assert f"| {t} |" in card
    assert meta["themes"] == label_set()["themes"]
