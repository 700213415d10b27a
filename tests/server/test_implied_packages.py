"""Packages a page needs without naming them in a config get the same box as config packages (issue 20,
5(c)): `<script type="py-game">` (PyScript installs pygame-ce for it) and `micropip.install(...)` in the
page's code, inline or in a `src=` file. In Chromium, with the real runtime: the box names the command,
before Python starts, and no request leaves the machine."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

CORE = "https://pyscript.net/releases/2025.2.1/core.js"
BOX = ".pyscript-desktop-problem"


def _box(run) -> str:
    run.page.wait_for_selector(BOX, timeout=60_000)
    return run.page.inner_text(BOX)


def test_py_game_script_names_pygame_ce(tmp_path, serve, browser_page, output_dir):
    (tmp_path / "game.py").write_text("import pygame\nprint('started')\n")
    (tmp_path / "index.html").write_text(
        f'<!doctype html><script type="module" src="{CORE}"></script>'
        '<canvas id="canvas"></canvas><script type="py-game" src="game.py"></script>')
    server = serve(tmp_path)
    if "pygame-ce" in server.available_packages():
        pytest.skip("pygame-ce was added to this bundle: nothing is missing")
    run = browser_page(server.url + "index.html")
    box = _box(run)
    assert 'Package "pygame-ce" is not in the offline runtime bundle.' in box
    assert "python main.py runtime add pygame-ce" in box
    run.page.screenshot(path=str(output_dir / "implied-pygame-ce.png"))


@pytest.mark.parametrize("where", ["inline", "src"])
def test_micropip_install_in_page_code_is_named_before_it_runs(tmp_path, serve, browser_page, where):
    code = "import micropip\nawait micropip.install(['pyfiglet', 'numpy'])\nimport pyfiglet\n"
    if where == "src":
        (tmp_path / "main.py").write_text(code)
        script = '<script type="py" src="./main.py"></script>'
    else:
        script = f'<script type="py">\n{code}</script>'
    (tmp_path / "index.html").write_text(f'<!doctype html><script type="module" src="{CORE}"></script>{script}')
    server = serve(tmp_path)
    run = browser_page(server.url + "index.html")
    box = _box(run)
    assert 'Package "pyfiglet" is not in the offline runtime bundle.' in box
    assert "python main.py runtime add pyfiglet" in box
    assert "numpy" not in box  # bundled: micropip finds it offline
