"""Settings decide once whose app this is and where its user folders are."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop import APP_ID, APP_NAME
from desktop.settings import LAUNCH_CONFIG, Settings
from desktop.window.model import window_title


@pytest.fixture
def xdg(tmp_path, monkeypatch) -> Path:
    """platformdirs' Linux folders under tmp_path, with no PYSCRIPT_DESKTOP_HOME."""
    monkeypatch.delenv("PYSCRIPT_DESKTOP_HOME", raising=False)
    for kind, folder in (("CONFIG", "config"), ("DATA", "share"), ("CACHE", "cache"), ("STATE", "state")):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / folder))
    return tmp_path


def launch_file(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / LAUNCH_CONFIG).write_text(text, encoding="utf-8")
    return root


def test_the_plain_app_is_pyscript_desktop_with_its_own_folders(xdg, tmp_path):
    settings = Settings.from_env(root=tmp_path / "checkout")  # no launch config: the source tree or the plain app
    assert settings.app_name == APP_NAME
    assert settings.data_dir == xdg / "share" / APP_ID and settings.config_dir == xdg / "config" / APP_ID


def test_a_built_app_has_its_name_and_folders_of_its_own(xdg, tmp_path):
    root = launch_file(tmp_path / "app", 'name = "Inventory Viewer"\nid = "inventory-viewer"\nentry = "pages/index.html"\n')
    settings = Settings.from_env(root=root)
    assert settings.app_name == "Inventory Viewer"
    assert settings.data_dir == xdg / "share" / "inventory-viewer"
    assert settings.config_dir == xdg / "config" / "inventory-viewer"
    assert settings.cache_dir == xdg / "cache" / "inventory-viewer"
    assert window_title("Stock  levels", settings.app_name) == "Stock levels — Inventory Viewer"
    assert window_title("", settings.app_name) == "Inventory Viewer"


@pytest.mark.parametrize("text", [
    'name = "X"\nid = "../../etc"\nentry = "pages/index.html"\n',   # an id that would leave the user folders
    'name = "X"\nentry = "pages/index.html"\n',                      # no id (a launch config from before ids)
    'name = "X"\nid = "x"\n',                                        # no entry: not a launch config
    'name = [1\n',                                                   # not TOML
])
def test_a_launch_config_without_a_safe_identity_keeps_the_plain_app_s(xdg, tmp_path, text):
    settings = Settings.from_env(root=launch_file(tmp_path / "app", text))
    assert (settings.app_name, settings.data_dir) == (APP_NAME, xdg / "share" / APP_ID)


def test_pyscript_desktop_home_still_holds_everything(xdg, tmp_path, monkeypatch):
    monkeypatch.setenv("PYSCRIPT_DESKTOP_HOME", str(tmp_path / "home"))
    root = launch_file(tmp_path / "app", 'name = "Inventory Viewer"\nid = "inventory-viewer"\nentry = "pages/index.html"\n')
    settings = Settings.from_env(root=root)
    assert settings.app_name == "Inventory Viewer" and settings.data_dir == tmp_path / "home" / "data"


def test_one_place_knows_where_static_is():
    """settings.STATIC_DIR holds what the server adds to pages; no other module spells the folder's name."""
    import ast

    from desktop.settings import STATIC_DIR, app_root

    for name in ("errors.js", "window/status.js", "bridge/desktop.js", "classic/classic_config.py", "start/pyodide.mjs"):
        assert (STATIC_DIR / name).is_file(), name
    package = app_root() / "desktop"
    spelled = []
    for path in sorted(package.rglob("*.py")):
        if path == package / "settings.py" or "static" in path.relative_to(package).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value == "static":
                spelled.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    assert not spelled, "use desktop.settings.STATIC_DIR: " + ", ".join(spelled)
