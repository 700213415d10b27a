"""desktop.dialogs in the real window under Xvfb: the toolkit's own dialogs, driven with xdotool as a person would."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from window.harness import app_env, find_window, start_app, stop_app, wait_title  # noqa: F401

from desktop.bridge.dialogs import file_types
from desktop.bridge.errors import BridgeError

from .conftest import pyscript_page

pytestmark = pytest.mark.gui

PAGE = """
<p id="status">starting</p>
<script type="py">
import os
import desktop
from pyscript import document

def step(text):
    document.title = text
    document.getElementById("status").textContent = text

async def main():
    step("Step open")
    path = await desktop.dialogs.open_file(types=("CSV files", "*.csv"))
    text = await desktop.files.read_text(path)
    try:
        await desktop.files.read_text(os.path.join(os.path.dirname(path), "other.csv"))
        denied = "readable"
    except PermissionError:
        denied = "denied"
    step(f"Picked {len(text.splitlines())} lines, neighbour {denied}")
    target = await desktop.dialogs.save_file("summary.txt")
    await desktop.files.write_text(target, "rows: 6")
    step("Saved " + os.path.basename(target))
    folder = await desktop.dialogs.choose_folder()
    await desktop.files.write_text(folder + "/inside.txt", "in the chosen folder")
    names = [e.name for e in await desktop.files.listdir(folder)]
    step("Folder " + ",".join(names))
    cancelled = await desktop.dialogs.open_file()
    step(f"Cancelled {cancelled}")

await main()
</script>"""


def _answer(env: dict, pid: int, title: str, text: str | None, timeout: float = 90) -> None:
    """Wait for the toolkit's dialog titled `title`, type `text` and press Return (or Escape to cancel),
    until the dialog has closed.

    Typing can be lost on a loaded machine (keys sent before the file name field has focus, or a
    Return taken by the field's completion list): then the dialog stays open, and the answer is
    typed again over the field's whole text (Ctrl+A)."""
    dialog = find_window(env, title, pid=pid, timeout=60)
    deadline = time.monotonic() + timeout
    while True:
        subprocess.run(["xdotool", "windowactivate", "--sync", dialog], env=env, capture_output=True, timeout=30)
        if text is None:
            subprocess.run(["xdotool", "key", "Escape"], env=env, check=True, timeout=30)
        else:
            subprocess.run(["xdotool", "key", "ctrl+a"], env=env, check=True, timeout=30)
            subprocess.run(["xdotool", "type", "--delay", "20", text], env=env, check=True, timeout=60)
            subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=30)
        closes = time.monotonic() + 5
        while time.monotonic() < closes:
            visible = subprocess.run(["xdotool", "search", "--all", "--onlyvisible", "--pid", str(pid), "--name", title],
                                     env=env, capture_output=True, text=True, timeout=30).stdout.split()
            if dialog not in visible:
                return
            time.sleep(0.3)
        assert time.monotonic() < deadline, f"the dialog {title!r} stayed open after {text!r} was typed into it"


def test_dialogs_pick_save_and_choose_in_the_real_window(app_env, tmp_path, output_dir):
    site, docs, out, chosen = tmp_path / "site", tmp_path / "docs", tmp_path / "out", tmp_path / "chosen"
    for folder in (site, docs, out, chosen):
        folder.mkdir()
    (docs / "sales.csv").write_text("month,sales\n" + "".join(f"m{i},{i}\n" for i in range(5)))
    (docs / "other.csv").write_text("not picked")
    (chosen / "existing.txt").write_text("x")
    (site / "dialogs.html").write_text(pyscript_page(PAGE, title="Step load"), encoding="utf-8")
    proc = start_app(app_env, "open", str(site / "dialogs.html"))
    try:
        window = find_window(app_env, "PyScript Desktop$", pid=proc.pid, timeout=120)
        wait_title(app_env, window, "^Step open", timeout=120)
        _answer(app_env, proc.pid, "^Open file", str(docs / "sales.csv"))
        wait_title(app_env, window, "^Picked 6 lines, neighbour denied", timeout=60)
        _answer(app_env, proc.pid, "^Save file", str(out / "summary.txt"))
        wait_title(app_env, window, "^Saved summary.txt", timeout=60)
        assert (out / "summary.txt").read_text() == "rows: 6"
        _answer(app_env, proc.pid, "^Open folder", str(chosen))
        title = _settle_folder(app_env, proc.pid, window)
        assert title.startswith("Folder existing.txt,inside.txt")
        assert (chosen / "inside.txt").read_text() == "in the chosen folder"
        _answer(app_env, proc.pid, "^Open file", None)
        wait_title(app_env, window, "^Cancelled None", timeout=60)
        time.sleep(1)  # the title arrives before the page is repainted
        subprocess.run(["import", "-window", window, str(output_dir / "bridge-dialogs-window.png")], env=app_env,
                       check=True, timeout=60)
    finally:
        stop_app(proc)
    audit = Path(app_env["PYSCRIPT_DESKTOP_HOME"]) / "log" / "bridge-audit.jsonl"
    ops = [(e["op"], e["outcome"]) for e in map(json.loads, audit.read_text().splitlines())]
    assert ("open_file", "ok") in ops and ("save_file", "ok") in ops and ("choose_folder", "ok") in ops
    assert ("read", "EACCES") in ops  # the neighbour of the picked file


def _settle_folder(env: dict, pid: int, window: str) -> str:
    """A folder dialog may take the typed path as 'go there' first; a second Return then chooses it."""
    try:
        return wait_title(env, window, "^Folder ", timeout=8)
    except AssertionError:
        dialog = find_window(env, "^Open folder", pid=pid, timeout=10)
        subprocess.run(["xdotool", "windowactivate", "--sync", dialog], env=env, capture_output=True, timeout=30)
        subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=30)
        return wait_title(env, window, "^Folder ", timeout=30)


@pytest.mark.parametrize("given, expected", [
    (None, []),
    ("*.csv", ["CSV files (*.csv)"]),
    (".csv", ["CSV files (*.csv)"]),
    (("CSV files", "*.csv", "*.tsv"), ["CSV files (*.csv;*.tsv)"]),
    (["*.csv", "*.txt"], ["CSV files (*.csv)", "TXT files (*.txt)"]),
    ("Images (*.png;*.jpg)", ["Images (*.png;*.jpg)"]),
])
def test_file_types_become_dialog_filters(given, expected):
    assert file_types(given) == expected


@pytest.mark.parametrize("bad", ["*.c sv", ("CSV (x)", "*.csv"), ["*.csv", 3], "../*.csv", 12])
def test_bad_file_types_are_a_value_error_for_the_page(bad):
    with pytest.raises(BridgeError) as raised:
        file_types(bad)
    assert raised.value.errno_name == "EINVAL"
