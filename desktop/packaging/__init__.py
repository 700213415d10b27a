"""Packaging: freezing the app with PyInstaller, and `build` for people's own pages.

    trim        what the frozen app leaves out (read by build_spec/pyscript-desktop.spec)
    pyinstaller the PyInstaller run (desktop.tools.PyInstaller says how to get it when it is missing)
    appconfig   APP_DIR/desktop.toml
    scan        which packages a folder of pages uses
    runtime     the trimmed runtime: core plus only the packages an app needs
    assemble    a built app: a frozen base with the app's pages, runtime and launcher config
    launcher    what a built app does when started with no command
    deb, tarball  the Linux installers

Nothing here is imported by the server or the window; `build` is the only caller
besides the entry point's launcher look-up.
"""

__all__: list[str] = []
