"""DesktopApp, its parts and AppSession, on a fake backend: the app's own decisions (servers, URLs, titles,
shortcuts, navigation, recent pages, what each verb's session mounts), without a toolkit or Xvfb.

What the engine then does with them is what the gui tests check in real windows."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from conftest import login_client

from desktop.bridge.grants import GrantSet
from desktop.errors import DesktopError
from desktop.session import AppSession
from desktop.settings import Settings
from desktop.window import DesktopApp, Launcher, WindowOptions
from desktop.window.backend import BACKEND_NAMES, FALLBACK, choose_backend
from desktop.window.events import PageEvent
from desktop.window.launcher_api import ALLOWED
from desktop.window.links import Decision
from window.fake_backend import FakeBackend


@pytest.fixture
def settings(app_home, tmp_path, bundle) -> Settings:
    pages = tmp_path / "gallery"
    pages.mkdir()
    (pages / "index.html").write_text("<title>gallery</title>")
    (pages / "hello.html").write_text("<title>hello</title>")
    return dataclasses.replace(Settings.from_env(), pages_dir=pages)


@pytest.fixture
def site(tmp_path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    for name in ("a.html", "b.html"):
        (folder / name).write_text(f"<title>{name}</title>")
    return folder


@pytest.fixture
def make_app(settings):
    apps: list[DesktopApp] = []

    def make(**options) -> DesktopApp:
        app = DesktopApp(settings, WindowOptions(port=0, **options), backend=FakeBackend())
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.servers.shutdown()


def test_pages_of_one_folder_share_a_server_and_open_on_a_one_time_login_url(make_app, site, tmp_path):
    app = make_app()
    a, b = app.open(site / "a.html"), app.open(site / "b.html")
    other = tmp_path / "other"
    other.mkdir()
    c = app.open(other)  # a folder means its index.html
    assert a.server is b.server and c.server is not a.server
    assert a.page_url == a.server.origin + "/a.html" and c.page_url == c.server.origin + "/index.html"
    window = a.webview_window
    assert window.url.startswith(a.server.origin + "/") and "login" in window.url and window.url != a.page_url
    assert (window.width, window.height) == (1100, 800) and window.title == "PyScript Desktop"
    assert app.windows == [a, b, c]
    window.events.closed.set()
    assert app.windows == [b, c]


def test_a_size_wins_over_the_remembered_geometry(make_app, site):
    app = make_app(size=(640, 480))
    window = app.open(site / "a.html").webview_window
    assert (window.width, window.height, window.x, window.y) == (640, 480, 0, 0)


def test_page_events_title_the_window_they_came_from(make_app, site):
    app = make_app()
    a, b = app.open(site / "a.html"), app.open(site / "b.html")
    app._page_event(PageEvent("title", b.page_url + "?x=1#top", "  Stock   levels ", {}))
    assert b.webview_window.title == "Stock levels — PyScript Desktop" and a.webview_window.title == "PyScript Desktop"


def test_a_title_reported_earlier_never_replaces_a_later_one(make_app, site):
    # The server takes page events on several threads: the "loaded" of a page (its first title) was
    # seen arriving after the page's own later title, and the window kept the stale one (a CI run).
    app = make_app()
    a = app.open(site / "a.html")
    title = lambda: a.webview_window.title  # noqa: E731
    app._page_event(PageEvent("title", a.page_url, "Ready", {"at": 2000.5}))
    app._page_event(PageEvent("loaded", a.page_url, "Loading", {"at": 1000.0}))
    assert title() == "Ready — PyScript Desktop"
    app._page_event(PageEvent("loaded", a.page_url, "Next page", {"at": 3000.0}))  # a later navigation
    assert title() == "Next page — PyScript Desktop"
    for stamp in (None, "4000", True, float("nan")):  # no usable time: shown, and the clock stays
        app._page_event(PageEvent("title", a.page_url, f"Unstamped {stamp}", {} if stamp is None else {"at": stamp}))
        assert title() == f"Unstamped {stamp} — PyScript Desktop"
    app._page_event(PageEvent("title", a.page_url, "Stale", {"at": 2999}))
    assert title() == "Unstamped nan — PyScript Desktop"


def test_shortcuts_are_per_window_none_when_locked_and_f12_only_with_debug(make_app, site):
    plain, debug, locked = make_app(), make_app(debug=True), make_app(locked=True)
    keys = {}
    for name, app in (("plain", plain), ("debug", debug), ("locked", locked)):
        entry = app.open(site / "a.html")
        entry.webview_window.events.shown.set()
        keys[name] = set(app.backend.attached[id(entry.webview_window)])
    assert {"Ctrl+O", "Ctrl+R", "F5", "Ctrl+0", "F11"} <= keys["plain"] and "F12" not in keys["plain"]
    assert keys["debug"] == keys["plain"] | {"F12"}
    assert keys["locked"] == set()


def test_menus_follow_debug_and_are_absent_without_menu(make_app, site):
    def names(menus) -> list[str]:
        return [item.title for menu in menus for item in menu.items if hasattr(item, "title")]

    assert "Developer tools\tF12" not in names(make_app().open(site / "a.html").webview_window.options["menu"])
    assert "Developer tools\tF12" in names(make_app(debug=True).open(site / "a.html").webview_window.options["menu"])
    assert make_app(menu=False).open(site / "a.html").webview_window.options["menu"] == []


def test_zoom_steps_and_resets(make_app, site):
    app = make_app()
    entry = app.open(site / "a.html")
    for direction in (+1, +1, -1, 0, -1):
        app.zoom(entry, direction)
    assert app.backend.zooms == [1.1, 1.25, 1.1, 1.0, 0.9]


def test_navigation_stays_on_the_apps_servers_and_web_links_go_out_unless_locked(make_app, site):
    app, kiosk = make_app(), make_app(locked=True)
    entry, kiosk_entry = app.open(site / "a.html"), kiosk.open(site / "a.html")
    assert app._decide(entry.server.origin + "/b.html", True) is Decision.ALLOW
    assert app._decide("https://example.org/", True) is Decision.EXTERNAL
    assert kiosk._decide(kiosk_entry.server.origin + "/b.html", True) is Decision.ALLOW
    assert kiosk._decide("https://example.org/", True) is Decision.REFUSE


def test_a_renderer_crash_shows_the_stopped_notice_and_reload_brings_the_page_back(make_app, site):
    app = make_app()
    entry = app.open(site / "a.html")
    app._renderer_crashed(entry)
    assert entry.stopped and "/_desktop/window/stopped.html%3Fpage%3D/a.html" in entry.webview_window.loaded_urls[-1]
    assert entry.webview_window.title.startswith("Page stopped")
    app.reload(entry)
    assert not entry.stopped and entry.webview_window.loaded_urls[-1].startswith(entry.server.origin)
    app.reload(entry)  # a live page reloads itself
    assert entry.webview_window.scripts == ["location.reload()"]


def test_the_launcher_part_records_recent_pages_and_gives_only_the_gallery_functions(make_app, settings, site):
    app = make_app()
    launcher = Launcher(app)
    gallery = launcher.open_gallery()
    assert sorted(f.__name__ for f in gallery.webview_window.exposed) == sorted(ALLOWED)
    page = app.open(site / "a.html")
    assert page.webview_window.exposed == []
    app.open(settings.pages_dir / "hello.html")  # a bundled page: in the gallery already, not recent
    assert launcher.recent_pages() == [str(site / "a.html")]
    assert json.loads((settings.config_dir / "recent.json").read_text()) == [str(site / "a.html")]
    assert launcher.open_page_in_gallery("hello.html") and not launcher.open_page_in_gallery("../site/a.html")
    assert not launcher.open_html_file(str(site / "missing.html"))
    # a page's Python finished: its thumbnail for the gallery
    app._page_event(PageEvent("done", page.page_url, "a", {}))
    assert [p.parent.name for p in app.backend.shots] == ["thumbnails"]


def test_an_app_without_the_launcher_records_nothing(make_app, settings, site):
    app = make_app()
    app.open(site / "a.html")
    assert not (settings.config_dir / "recent.json").exists()


def test_the_session_gives_every_verbs_pages_the_bridge_and_the_installer(settings, site, monkeypatch):
    monkeypatch.setattr("desktop.window.app.load_backend", lambda name=None: FakeBackend())
    with AppSession(settings, GrantSet()) as session:
        app = session.window_app(WindowOptions(port=0))
        entry = app.open(site / "a.html")
        assert {"files", "packages", "window"} <= set(entry.server.options.mounts)
        assert session.bridge.dialogs is not None and session.launcher is not None
        served = session.serve(site)  # `serve`: the same injections and mounts for a browser
        assert {"files", "packages"} <= set(served.options.mounts)
        for _server, url in ((entry.server, entry.webview_window.url), (served, served.login_url("/a.html"))):
            client, page = login_client(url)
            client.close()
            assert page.status_code == 200 and "/_desktop/api/files/" in page.text  # the bridge's injection
        app.servers.shutdown()
    assert served._server is None  # close() stopped it
    with AppSession(settings, GrantSet(), install_packages=False) as kiosk:
        app = kiosk.window_app(WindowOptions(port=0, locked=True), mounts={"kiosk": object()}, personal=False)
        server = app.open(site / "a.html").server
        assert {"files", "kiosk", "window"} <= set(server.options.mounts) and "packages" not in server.options.mounts
        assert kiosk.bridge.dialogs is None and kiosk.launcher is None
        app.servers.shutdown()


def test_backend_names_and_the_fallback_order_per_platform():
    assert set(BACKEND_NAMES) == {"qt", "gtk", "edgechromium", "cocoa"}
    assert all(set(order) <= set(BACKEND_NAMES) for order in FALLBACK.values())
    def everything(name: str) -> bool:
        return True

    assert choose_backend(None, "linux", everything) == "qt"
    assert choose_backend(None, "linux", lambda name: name == "gtk") == "gtk"  # no Qt: WebKitGTK
    assert choose_backend(None, "win32", everything) == "edgechromium"
    assert choose_backend(None, "darwin", lambda name: name == "qt") == "qt"
    assert choose_backend(None, "freebsd13", everything) == "qt"
    assert choose_backend(None, "linux", lambda name: False) == "qt"  # none: the first, whose loading says what to install
    assert choose_backend("gtk", "linux", lambda name: False) == "gtk"  # named: as named
    with pytest.raises(DesktopError, match="Unknown window backend 'wx'"):
        choose_backend("wx")


def test_the_gui_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PYSCRIPT_DESKTOP_GUI", "gtk")
    assert Settings().gui == "gtk"
    monkeypatch.delenv("PYSCRIPT_DESKTOP_GUI")
    assert Settings().gui is None
