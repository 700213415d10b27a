"""The native window: pywebview, one backend module per toolkit, and the app that drives them.

This is the API kiosk mode and the file bridge build on; it stays small and stable:

    from desktop.window import AppWindow, DesktopApp, WindowOptions, has_display, require_display
    from desktop.window.dialogs import ask_open_files, ask_save_file, ask_folder, file_type

    require_display("kiosk")                      # NoDisplayError (exit code, xvfb-run hint) without one
    app = DesktopApp(settings, WindowOptions(fullscreen=True, menu=False),
                     injections=[my_snippet],      # PageContext -> HTML put first in <head> of every page
                     mounts={"files": bottle_app}, # WSGI apps at /_desktop/api/<name>/ on every page server
                     on_renderer_crash=None)       # (app, window) -> None; default: a "page stopped" page
    window = app.open(Path("pages/chart.html"))   # AppWindow: .webview_window, .server, .page_url
    Launcher(app).open_gallery()                  # the launcher part: gallery window, recent pages, drops
    app.run(after_start=None)                     # GUI loop on this thread, until the last window closes

`DesktopApp` — `open(page)` (a file, or a folder meaning its index.html) may be
called before `run()` or from any thread after it; `windows`, `reload(w)`,
`zoom(w, +1|-1|0)`, `toggle_fullscreen(w)`, `screenshot(w, path)`,
`show_devtools(w)` (only with debug), `events` (page events: loaded, title,
done, error; `events.wait(...)`), `about_text()`.

`AppWindow.webview_window` is the pywebview `Window` (its `.events.closed`,
`.evaluate_js`, `.load_url`, `.set_title`); reach for toolkit objects only in
`backends/`.

`WindowOptions` — debug, reload, size, fullscreen, frameless, hidden,
remember_geometry, menu, pair, port (None: a stable port per page folder, so
storage persists), locked (kiosk: no app shortcuts, zoom or window dragging, web
links refused instead of opened in the browser), screen (index into webview.screens).

`app.backend.renderer_pid(window.webview_window)` names the page's renderer process
(None where the engine does not say).

Dialogs block until the person answers: call them off the GUI thread (a bottle
handler or js_api method is). `PYSCRIPT_DESKTOP_GUI` (qt, gtk, edgechromium,
cocoa; `Settings.gui`) names the toolkit; otherwise the platform's first installed
one in `backend.FALLBACK` is used.

Modules: model.py (WindowOptions, AppWindow, window_title), servers.py (the server
pool: a stable port per folder, the navigation policy), menus.py (menus and
shortcuts), launcher.py (the launcher part), app.py (DesktopApp), backend.py and
backends/ (base.py holds what toolkits share).
"""

from .app import DesktopApp
from .display import has_display, require_display
from .launcher import Launcher
from .model import AppWindow, WindowOptions

__all__ = ["AppWindow", "DesktopApp", "Launcher", "WindowOptions", "has_display", "require_display"]
