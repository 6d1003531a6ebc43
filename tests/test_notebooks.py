"""The researcher notebooks run top to bottom (nbclient, a kernel on this venv's Python).

They must stay runnable whatever the state of the stages (empty frames included), and
must be committed without outputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "nianbao-test-venv"


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A kernelspec that starts ipykernel with THIS interpreter (where nianbao is installed)."""
    jp = tmp_path_factory.mktemp("jupyter")
    spec = jp / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "nianbao test", "language": "python"}), encoding="utf-8")
    return {"JUPYTER_PATH": str(jp), "NIANBAO_NOTEBOOK_LIMIT": "4",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def test_notebooks_exist_and_are_stripped() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert names == ["01_quickstart.ipynb", "02_corpus_analysis.ipynb", "03_panel.ipynb"]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path.name}: outputs not stripped"


def _execute(path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[dict]:  # type: ignore[type-arg]
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name=KERNEL,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError with the failing cell's traceback
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    return outputs


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path, kernel_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = _execute(path, kernel_env, monkeypatch)
    if path.stem.startswith("03"):
        text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
        assert "flags: L legacy statistics table" in text  # the compare view printed
        assert [o for o in outputs if "image/png" in o.get("data", {})], "expected the series plot"
    elif path.stem.startswith("02"):
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        assert len(images) >= 4, "expected the four plots"
    else:
        html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
        assert 'class="entities"' in html  # displaCy markup rendered inline


@pytest.mark.slow
def test_corpus_notebook_survives_an_empty_folder(kernel_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """No reports at all → every frame empty; each plot says so instead of failing."""
    outputs = _execute(ROOT / "notebooks" / "02_corpus_analysis.ipynb", {**kernel_env, "NIANBAO_NOTEBOOK_DIR": str(tmp_path)},
                       monkeypatch)
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "0 files, 0 reports" in text
    assert len([o for o in outputs if "image/png" in o.get("data", {})]) >= 4
