"""`screenshot PAGE OUT.png`: the app's real window renders the page, waits, saves a PNG, or fails cleanly."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from bridge.conftest import pyscript_page
from conftest import PAGES
from window.harness import (  # noqa: F401 - app_env and engine_env are fixtures
    EXAMPLES, MAIN, TEST_PAGES, app_env, engine_env, engine_png, find_window, has_pixel, image_stats, kill_renderers, run_app, wait_title,
)

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("page", sorted(EXAMPLES))
def test_each_example_page_renders_in_the_window(page, engine_env, output_dir):
    out = engine_png(output_dir, f"window-{page.removesuffix('.html')}", engine_env)
    result = run_app(engine_env, "screenshot", str(PAGES / page), str(out), "--wait-for", EXAMPLES[page], "--timeout", "180")
    assert result.returncode == 0, result.stderr[-2000:]
    colours, ink = image_stats(out)
    assert colours > 20 and ink > 0.005, f"{out} looks blank ({colours} colours, {ink:.1%} ink)"


def test_default_wait_is_until_the_pages_python_has_finished(engine_env, output_dir):
    out = engine_png(output_dir, "window-chart-default-wait", engine_env)
    result = run_app(engine_env, "screenshot", str(PAGES / "chart.html"), str(out), "--size", "1000x700")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "after the page's Python finished" in result.stdout
    from PIL import Image

    with Image.open(out) as image:
        assert image.size == (1000, 700)
    assert has_pixel(out, lambda r, g, b: b > 150 and r < 60)  # the chart's blue line is on the picture


def test_several_texts_are_all_waited_for(app_env, tmp_path):
    out = tmp_path / "two.png"
    result = run_app(app_env, "screenshot", str(PAGES / "hello.html"), str(out),
                     "--wait-for", "Hello from Python", "--wait-for", "Running on emscripten")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "'Hello from Python', 'Running on emscripten' appeared" in result.stdout
    missing = run_app(app_env, "screenshot", str(PAGES / "hello.html"), str(tmp_path / "never.png"),
                      "--wait-for", "Hello from Python", "--wait-for", "text that is not there", "--timeout", "30")
    assert missing.returncode == 8
    assert "'text that is not there' never appeared" in missing.stderr and "Hello from Python'" not in missing.stderr
    assert not (tmp_path / "never.png").exists()


@pytest.mark.parametrize("crashes", [1, 2])
def test_a_renderer_that_ends_gets_one_more_load_then_the_command_fails(crashes, engine_env, tmp_path):
    """An engine's renderer crashed once under load in a CI run (WebKitGTK), and the command waited out its
    timeout. Now one crash loads the page again; a second is the command's failure, named."""
    out = tmp_path / "slow.png"
    proc = subprocess.Popen([sys.executable, MAIN, "screenshot", str(TEST_PAGES / "slow-text.html"), str(out),
                             "--wait-for", "ready now", "--timeout", "120"], env=engine_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        window = find_window(engine_env, "^Slow text ", pid=proc.pid)
        title = wait_title(engine_env, window, "^Slow text ")
        assert kill_renderers(proc.pid)  # while the page still waits to show its text
        if crashes == 2:  # the next load titles itself anew: end that one too
            wait_title(engine_env, window, f"^(?!{re.escape(title)}$)Slow text ")
            assert kill_renderers(proc.pid)
        stdout, stderr = proc.communicate(timeout=180)
    finally:
        proc.kill()
    if crashes == 1:
        assert proc.returncode == 0, stderr[-2000:]
        assert "its renderer process ended" in stderr and "once more" in stderr and out.exists()
    else:
        assert proc.returncode == 8, stderr[-2000:]
        assert "The page's renderer process ended 2 times (the web engine crashed)." in stderr
        assert "Timed out" not in stderr and not out.exists()


def test_a_page_that_never_finishes_fails_cleanly(app_env, tmp_path):
    result = run_app(app_env, "screenshot", str(TEST_PAGES / "never.html"), str(tmp_path / "x.png"), "--timeout", "5")
    assert result.returncode == 8
    assert "Timed out after 5 s: the page's Python did not finish" in result.stderr
    assert "--timeout" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_a_page_error_is_the_commands_failure(engine_env, tmp_path):
    failed = run_app(engine_env, "screenshot", str(TEST_PAGES / "failing.html"), str(tmp_path / "y.png"))
    assert failed.returncode == 8
    assert "The page's Python raised an error: ZeroDivisionError: division by zero" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not (tmp_path / "y.png").exists()


def test_a_page_error_on_a_release_the_app_lacks_names_the_substitution(app_env, tmp_path):
    """The page pins a PyScript this app does not bundle and raises for a module that release had: the
    hint says which version ran instead, not only "fix the page"."""
    page = PAGES.parent / "tests" / "fixtures" / "errors" / "unbundled-release.html"
    failed = run_app(app_env, "screenshot", str(page), str(tmp_path / "z.png"))
    assert failed.returncode == 8, failed.stderr
    assert "The page's Python raised an error: ModuleNotFoundError: No module named 'pyweb'" in failed.stderr
    assert "PyScript 2099.1.1 is not bundled with this app; serving the bundled PyScript core" in failed.stderr
    assert "hint: Fix the page" in failed.stderr and "which may be why: PyScript 2099.1.1" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_a_page_error_cannot_drive_the_terminal(app_env, tmp_path):
    """The error's text is the page's: its control characters (a screen clear, a window title) reach
    stderr as "?", not as escape sequences the person's terminal would obey."""
    (tmp_path / "escape.html").write_text(pyscript_page(
        '<script type="py">raise ValueError("\\x1b[2J\\x1b]0;pwned\\x07 boom")</script>'), encoding="utf-8")
    failed = run_app(app_env, "screenshot", str(tmp_path / "escape.html"), str(tmp_path / "e.png"))
    assert failed.returncode == 8, failed.stderr
    assert "ValueError: ?[2J?]0;pwned? boom" in failed.stderr
    assert "\x1b" not in failed.stderr and "\x07" not in failed.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--size", "big"], "is not WIDTHxHEIGHT"),
        (["--size", "50x50"], "out of range"),
    ],
)
def test_bad_arguments_are_clear_errors(app_env, tmp_path, args, message):
    result = run_app(app_env, "screenshot", str(PAGES / "hello.html"), str(tmp_path / "z.png"), *args, timeout=60)
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr


def test_missing_page_and_missing_output_folder_are_clear_errors(app_env, tmp_path):
    gone = run_app(app_env, "screenshot", str(tmp_path / "nope.html"), str(tmp_path / "z.png"), timeout=60)
    assert gone.returncode != 0 and "does not exist" in gone.stderr and "Traceback" not in gone.stderr
    nowhere = run_app(app_env, "screenshot", str(PAGES / "hello.html"), str(tmp_path / "no" / "z.png"), timeout=60)
    assert nowhere.returncode != 0 and "does not exist" in nowhere.stderr and "Traceback" not in nowhere.stderr


def test_without_a_display_screenshot_suggests_xvfb_run(app_home):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYSCRIPT_DESKTOP_HOME"] = str(app_home)
    result = subprocess.run([sys.executable, MAIN, "screenshot", str(PAGES / "hello.html"), "/tmp/x.png"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 7
    assert "needs a display" in result.stderr and "xvfb-run" in result.stderr and "Traceback" not in result.stderr


def test_a_page_using_the_bridge_works_as_in_open(app_env, output_dir):
    """pages/files.html does `import desktop` (the bridge): `screenshot` wires the same session as `open`,
    so its Python gets as far as enabling its buttons (it failed with "No module named 'desktop'")."""
    out = output_dir / "window-files.png"
    result = run_app(app_env, "screenshot", str(PAGES / "files.html"), str(out),
                     "--wait-for", "Ready: pick a CSV file", "--timeout", "180")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ModuleNotFoundError" not in result.stderr
    colours, ink = image_stats(out)
    assert colours > 20 and ink > 0.005, f"{out} looks blank ({colours} colours, {ink:.1%} ink)"


def test_grants_reach_the_bridge_of_a_screenshot(app_env, tmp_path, output_dir):
    """--allow-read works for `screenshot` as for `open`: the page's Python reads a granted file at load."""
    data, site = tmp_path / "data", tmp_path / "site"
    data.mkdir()
    site.mkdir()
    (data / "note.txt").write_text("granted note 42")
    (site / "index.html").write_text(pyscript_page(f"""
<script type="py">
import desktop
from pyscript import document
text = await desktop.files.read_text({str(data / 'note.txt')!r})
document.body.append("bridge answered: " + text)
</script>"""))
    out = output_dir / "window-grant.png"
    refused = run_app(app_env, "screenshot", str(site), str(tmp_path / "refused.png"), "--timeout", "180")
    assert refused.returncode == 8 and "PermissionError" in refused.stderr, refused.stderr[-2000:]
    result = run_app(app_env, "screenshot", str(site), str(out), "--allow-read", str(data),
                     "--wait-for", "bridge answered: granted note 42", "--timeout", "180")
    assert result.returncode == 0, result.stderr[-2000:]
