"""The corpus notebook (02) and the quickstart run without warnings on a machine without CJK fonts.

matplotlib warns for every Chinese glyph its default font lacks; plots therefore use ASCII labels
only. Kept apart from test_notebooks.py (which checks outputs) so a warning names itself.
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


@pytest.mark.slow
@pytest.mark.parametrize("name", ["01_quickstart.ipynb", "02_corpus_analysis.ipynb"])
def test_notebook_runs_without_warnings(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "kernels" / "nianbao-warnings"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "nianbao warnings", "language": "python"}), encoding="utf-8")
    for k, v in {"JUPYTER_PATH": str(tmp_path), "NIANBAO_NOTEBOOK_LIMIT": "4", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                 "MPLBACKEND": "module://matplotlib_inline.backend_inline"}.items():
        monkeypatch.setenv(k, v)
    path = ROOT / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="nianbao-warnings",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    stderr = [o["text"] for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not [t for t in stderr if "Warning" in t or "warning" in t], stderr[:2]
