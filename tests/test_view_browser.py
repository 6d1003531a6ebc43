"""The review page in a real headless Chromium (Debian's package), offline.

``--dump-dom`` prints the DOM after scripts ran, so the checks below see what a
reader sees: the page script must have run (``data-ready``, legend, summary) and
the key elements must be there. A screenshot is saved to ``tests/artifacts/`` for a
human to look at. Skips when ``/usr/bin/chromium`` is not installed
(``apt-get install -y chromium``; ``scripts/test.sh`` does this when run as root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as Dom

import synthetic_report as synth
from nianbao.present.view import render, write_view

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"


def _chromium() -> str:
    for cand in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""):
        if cand and os.access(cand, os.X_OK):
            return cand
    pytest.skip("chromium is not installed (apt-get install -y chromium); browser test skipped")


def _run(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-first-run",
           "--no-default-browser-check", "--mute-audio", "--hide-scrollbars",
           f"--user-data-dir={tmp / 'profile'}", *args]
    env = {**os.environ, "HOME": str(tmp)}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, check=False)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("view") / "report.html"
    out.write_text(render(synth.report(), synth.TEXT), encoding="utf-8")
    return out


def test_page_renders_and_script_runs(page_file: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    res = _run(chromium, tmp_path, "--virtual-time-budget=3000", "--dump-dom", page_file.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    dom = Dom(res.stdout)
    assert dom.css_first("html").attributes.get("data-ready") == "1", "page script did not run"
    assert "facts" in dom.css_first("#js-summary").text()
    assert {n.text() for n in dom.css("#legend .key")} == {"ORG", "DATE", "GPE"}
    assert synth.ISSUER in dom.css_first("#report-header").text()
    assert len(dom.css("mark.fact[id]")) == len(synth.facts())
    assert dom.css("mark.ent") and dom.css(".paragraph[data-role]")
    td = dom.css_first('table.table3 td[data-key="table3.new_requests.total"]')
    assert td is not None and "check-fail" in td.attributes["class"]
    assert dom.css("#checks li.check-fail") and dom.css("li.conflict")


def test_screenshot_artifact(page_file: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "view_synthetic.png"
    shot.unlink(missing_ok=True)
    res = _run(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page_file.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page compresses far smaller


def test_real_report_page(tmp_path: Path) -> None:
    """End to end through the pipeline on a bundled example (or a shared seed) when one is present."""
    chromium = _chromium()
    candidates = sorted((ROOT / "examples").glob("*.txt")) + sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
    if not candidates:
        pytest.skip("no example report (examples/ not generated, ../shared absent)")
    out = tmp_path / "real.html"
    write_view(min(candidates, key=lambda p: p.stat().st_size), out)
    res = _run(chromium, tmp_path, "--virtual-time-budget=3000", "--dump-dom", out.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    dom = Dom(res.stdout)
    assert dom.css_first("html").attributes.get("data-ready") == "1"
    assert dom.css_first("#report-header") is not None and dom.css_first("#report-text").text().strip()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _run(chromium, tmp_path, f"--screenshot={ARTIFACTS / 'view_example.png'}", "--window-size=1280,2000", out.as_uri())
