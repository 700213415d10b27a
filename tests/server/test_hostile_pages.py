"""Hostile pages: every reader of pages is linear in the page's length and reads config files
only from inside the page folder.

A page of 240 KB of `<head ` took 194 s of CPU in the head injection's regular expression, and
`html.parser` of Python 3.11.7 is quadratic on unclosed comments (CVE-2025-6069). Each reader
runs in a child process with its CPU time capped at CPU_CEILING seconds: the linear readers
need a few seconds for all the pages below together, the quadratic ones need minutes for any
one of them, so the cap catches quadratic behaviour without timing anything precisely.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from desktop.packaging.scan import scan_app
from desktop.server.inject import inject
from desktop.server.pageinfo import CONFIG_LIMIT, scan_page

HERE = Path(__file__).resolve().parent
CPU_CEILING = 20  # seconds of CPU for every page below together; quadratic readers need minutes

#: Pathological pages, 200-600 KB each (quadratic readers take minutes on these), and 5 MB ones.
HOSTILE = {
    "head": "<head " * 40_000,
    "comment": "<!--" * 60_000,
    "script": "<script" * 40_000,
    "unclosed-tags": "<a " * 80_000,
    "unclosed-quote": "<a b='" + "<a b=" * 40_000,
    "end-tags": "</" * 120_000,
    "bang": "<!" * 120_000,
    "doctype": "<!doctype " * 40_000,
    "py-config": "<py-config>" * 30_000,
    "py-env": "<py-env" * 40_000,
    "py-script": "<py-script>" * 30_000,
    "py-repl": "<py-repl " * 30_000,
    "link": "<link " * 40_000,
    "script-src": '<script src="x" ' * 30_000,
    "script-integrity": '<script integrity="sha384-x" src="x" ' * 30_000,
    "attrs": "<p " + "a=b " * 60_000,
    "events": " py-onClick='" * 30_000,
    "lines": "<py-title>\n" * 40_000,
    "nested-toml": "<py-config>packages = " + "[" * 200_000 + "</py-config>",
    "nested-json": '<py-config>{"packages": ' + "[" * 200_000 + "</py-config><py-env type=json>" + "[" * 100_000 + "</py-env>",
    "nested-script": "<py-script>" + "(" * 200_000 + "</py-script>",
    "dotdot": "../" * 80_000 + "_runtime/x.js",
    "runtime-runs": "_runtime/" * 60_000,
    "big-head": "<head " * 900_000,  # 5.4 MB
    "big-page": "<html><head><title>big</title></head><body>" + "<div class=x>text</div>\n" * 210_000 + "</body></html>",
    "big-comment": "<!--" * 1_300_000,  # 5.2 MB
}


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, text in HOSTILE.items():
        (folder / f"{name}.html").write_text(text)
    return folder


def _cap_cpu() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_CEILING, CPU_CEILING + 5))


@pytest.mark.parametrize("job", ["inject", "scan_page", "migrate", "package_scan", "gallery", "export_scan"])
def test_readers_of_pages_are_linear(job, hostile_folder):
    result = subprocess.run(
        [sys.executable, str(HERE / "hostile_work.py"), job, str(hostile_folder)],
        capture_output=True, text=True, timeout=900, preexec_fn=_cap_cpu,
    )
    assert result.returncode == 0 and "done" in result.stdout, (
        f"{job} over the hostile pages: exit {result.returncode} "
        f"({'killed at the CPU ceiling of %d s: quadratic?' % CPU_CEILING if result.returncode in (-24, -9) else result.stderr[-2000:]})"
    )


def test_server_serves_hostile_pages_within_the_ceiling(hostile_folder, bundle):
    result = subprocess.run(
        [sys.executable, str(HERE / "hostile_work.py"), "serve", str(hostile_folder)],
        capture_output=True, text=True, timeout=900, preexec_fn=_cap_cpu,
    )
    assert result.returncode == 0 and "done" in result.stdout, (result.returncode, result.stderr[-2000:])


@pytest.mark.parametrize(
    "page, expected_at",
    [
        ("<!doctype html><html><head><title>t</title></head><body></body></html>", "<head>"),
        ("<!DOCTYPE html>\n<HTML lang=en>\n<HEAD data-x='a>b'>\n<title>t</title>", "<HEAD data-x='a>b'>"),
        ("<!-- <head> in a comment --><html><head class=x><title>t</title>", "<head class=x>"),
        ("<html><script>var s = '<head>';</script><body>", "<html>"),
        ("<!doctype html><p>no head nor html", "<!doctype html>"),
        ("<p>nothing at all", ""),
        ("<header>not a head</header><html>", "<html>"),
    ],
)
def test_injection_goes_after_the_real_head(page, expected_at):
    out = inject(page, ["<X>"])
    assert out.count("<X>") == 1
    assert out.index("<X>") == (page.index(expected_at) + len(expected_at) if expected_at else 0)


def test_scan_still_reads_what_pages_say():
    info = scan_page(
        "<!doctype html><html><head><title>A &amp; B</title><meta name=description content='d &lt; e'>"
        "<!-- <py-config>packages = ['hidden']</py-config> -->"
        "<script>var x = '<py-config>packages=[\"nope\"]</py-config>';</script>"
        '<py-config>packages = ["numpy", "Pandas>=2"]</py-config>'
        '<script type="mpy" config=\'{"packages": ["six"]}\'></script>'
        '<script type="py" worker></script></head></html>'
    )
    assert info.title == "A & B" and info.description == "d < e"
    assert info.packages == ["numpy", "pandas", "six"]
    assert info.interpreters == {"micropython"}


# -- config files named by a page ------------------------------------------------------------------


@pytest.fixture
def app_folder(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.toml").write_text('packages = ["secret-package"]\nbroken = \n')
    app = tmp_path / "app"
    (app / "sub").mkdir(parents=True)
    (app / "good.toml").write_text('packages = ["numpy"]\n')
    (app / "sub" / "inner.toml").write_text('packages = ["six"]\n')
    (app / "big.toml").write_text("# padding\n" * (CONFIG_LIMIT // 10 + 1) + 'packages = ["numpy"]\n')
    (app / "link.toml").symlink_to(outside / "secret.toml")
    (app / "zero.toml").symlink_to("/dev/zero")
    (app / "linkdir").symlink_to(outside)
    os.mkfifo(app / "fifo.toml")
    return app


def _scan(app: Path, src: str, page_dir: Path | None = None):
    return scan_page(f'<py-config src="{src}"></py-config>', page_dir or app, app)


@pytest.mark.parametrize(
    "src, reason",
    [
        ("../outside/secret.toml", "outside the page folder"),
        ("%2e%2e/outside/secret.toml", "outside the page folder"),
        ("sub/../../outside/secret.toml", "outside the page folder"),
        ("link.toml", "outside the page folder"),
        ("linkdir/secret.toml", "outside the page folder"),
        ("zero.toml", "outside the page folder"),  # /dev/zero through a symlink
        ("fifo.toml", "not a regular file"),
        ("sub", "not a regular file"),
        ("big.toml", "larger than"),
        ("C:/x.toml", "unusual characters"),
        ("a\\..\\..\\x.toml", "unusual characters"),
    ],
)
def test_config_files_outside_the_page_folder_are_refused(app_folder, src, reason):
    info = _scan(app_folder, src)
    assert info.packages == []
    assert len(info.config_errors) == 1, info.config_errors
    error = info.config_errors[0]
    assert src in error and reason in error and "regular files inside the page folder" in error, error
    assert "secret" not in error.replace(src, "")  # nothing of the outside file reaches the page


def test_device_files_are_refused_inside_the_folder(tmp_path):
    """A page folder that is /dev itself (or holds a device node) gets no endless read either."""
    info = scan_page('<py-config src="zero"></py-config>', Path("/dev"), Path("/dev"))
    assert info.packages == [] and "not a regular file" in info.config_errors[0]


def test_config_files_inside_the_folder_are_read(app_folder):
    assert _scan(app_folder, "good.toml").packages == ["numpy"]
    assert _scan(app_folder, "../good.toml", app_folder / "sub").packages == ["numpy"]
    assert _scan(app_folder, "./sub/inner.toml?v=2").packages == ["six"]
    assert _scan(app_folder, "missing.toml").config_errors == []  # the page reports a missing file itself


def test_packaging_scan_refuses_outside_configs(app_folder):
    (app_folder / "index.html").write_text('<py-config src="../outside/secret.toml"></py-config>')
    scan = scan_app(app_folder)
    assert "secret-package" not in scan.packages
    assert any("../outside/secret.toml" in p and "outside the page folder" in p for p in scan.problems)


def test_served_page_names_the_refused_file_and_the_rule(app_folder, serve):
    (app_folder / "index.html").write_text(
        '<!doctype html><html><head><py-config src="../outside/secret.toml"></py-config></head><body></body></html>'
    )
    server = serve(app_folder)
    html = httpx.get(server.origin + "/index.html", timeout=30, headers=server.auth_headers()).text
    assert "../outside/secret.toml" in html and "regular files inside the page folder" in html
    assert "secret-package" not in html and "broken" not in html


# -- package names in shown commands ----------------------------------------------------------------


def test_invalid_package_names_never_reach_a_command(tmp_path, serve):
    (tmp_path / "index.html").write_text(
        "<!doctype html><html><head><py-config>\n"
        'packages = ["not-in-the-bundle-pkg", "x$(touch pwned)", "a;b", "`id`", "-rf"]\n'
        "</py-config></head><body></body></html>"
    )
    info = scan_page((tmp_path / "index.html").read_text())
    assert info.packages == ["not-in-the-bundle-pkg", "a"]  # "a;b" is package a with a marker
    assert sum("not a valid package name" in e for e in info.config_errors) == 3
    server = serve(tmp_path)
    html = httpx.get(server.origin + "/index.html", timeout=30, headers=server.auth_headers()).text
    assert "python main.py runtime add not-in-the-bundle-pkg" in html
    assert "runtime add x" not in html and "runtime add `" not in html and "runtime add -rf" not in html


def test_special_files_in_the_folder_are_not_served(tmp_path, serve):
    os.mkfifo(tmp_path / "fifo.html")
    (tmp_path / "zero.html").symlink_to("/dev/zero")  # inside /dev, so refused as outside anyway
    server = serve(tmp_path)
    auth = server.auth_headers()
    assert httpx.get(server.origin + "/fifo.html", timeout=10, headers=auth).status_code == 404
    assert httpx.get(server.origin + "/zero.html", timeout=10, headers=auth).status_code in (403, 404)


@pytest.mark.e2e
def test_the_refusal_is_shown_in_the_page(app_folder, serve, browser_page, output_dir):
    """What a person sees: the box naming the refused file and the rule, the page itself intact."""
    (app_folder / "index.html").write_text(
        "<!doctype html><html><head><title>refused config</title>"
        '<py-config src="../outside/secret.toml"></py-config><py-config src="zero.toml"></py-config>'
        "</head><body><p>content stays</p></body></html>"
    )
    run = browser_page(serve(app_folder).url_for(app_folder / "index.html"))
    run.wait_for_text('"../outside/secret.toml" was not read: the path leads outside the page folder')
    run.wait_for_text('"zero.toml" was not read')
    box = run.page.inner_text(".pyscript-desktop-problem")
    assert "regular files inside the page folder, at most 256 KB" in box
    assert "secret-package" not in box and "content stays" in run.page.inner_text("body")
    run.page.screenshot(path=str(output_dir / "hostile-config-refused.png"))
