"""What the frozen app leaves out: the parts of Python and Qt it never loads.

Used by build_spec/pyscript-desktop.spec on the lists PyInstaller collected.
Each rule is a path pattern of the file's place inside the frozen app; a
rule earns its place only when the app still starts, serves and shows pages
without the file (tests/packaging checks the result).
"""

from __future__ import annotations

import fnmatch
from typing import Callable, Iterable

__all__ = ["EXCLUDED_MODULES", "keep_binary", "keep_data", "drop_orphans"]

#: Python modules never imported by the app (test tools, other GUI toolkits, unused Qt bindings).
EXCLUDED_MODULES = [
    "tkinter", "_tkinter", "unittest", "pydoc_data", "lib2to3", "idlelib", "ensurepip", "venv",
    "pytest", "_pytest", "hypothesis", "playwright", "PyInstaller", "setuptools", "pip", "wheel",
    "PySide6", "PySide2", "PyQt5", "gi",
    "PIL",  # only reached through pygments' image formatter (rich's dependency), which the app never uses
    "PyQt6.QtQuick", "PyQt6.QtQuick3D", "PyQt6.QtQuickWidgets", "PyQt6.QtQml", "PyQt6.QtDesigner",
    "PyQt6.QtMultimedia", "PyQt6.QtMultimediaWidgets", "PyQt6.QtBluetooth", "PyQt6.QtNfc",
    "PyQt6.QtSensors", "PyQt6.QtSerialPort", "PyQt6.QtSql", "PyQt6.QtTest", "PyQt6.QtPdf",
    "PyQt6.QtPdfWidgets", "PyQt6.QtSpatialAudio", "PyQt6.QtTextToSpeech", "PyQt6.QtRemoteObjects",
    "PyQt6.QtHelp", "PyQt6.QtOpenGLWidgets", "PyQt6.QtSvgWidgets", "PyQt6.QtWebSockets", "PyQt6.QtPositioning",
    "PyQt6.QtStateMachine", "PyQt6.uic", "PyQt6.QtWebEngineQuick",
]

#: Patterns (fnmatch, "/"-separated destination paths) of collected files the app does not need.
_DROP = [
    # QML and Qt Quick: WebEngine links the Quick/Qml core libraries, but no QML module is ever loaded.
    "*/Qt6/qml/*",
    "*/libQt6Quick3D*", "*/libQt6QuickControls2*", "*/libQt6QuickDialogs2*", "*/libQt6QuickTemplates2*",
    "*/libQt6QuickParticles*", "*/libQt6QuickShapes*", "*/libQt6QuickTest*", "*/libQt6QuickTimeline*",
    "*/libQt6QuickEffects*", "*/libQt6QuickLayouts*", "*/libQt6QuickVectorImage*", "*/libQt6LabsAnimation*",
    "*/libQt6Designer*", "*/libQt6Multimedia*", "*/libQt6SpatialAudio*", "*/libQt6ShaderTools*",
    "*/libQt6Pdf*", "*/libQt6Bluetooth*", "*/libQt6Nfc*", "*/libQt6Sensors*", "*/libQt6SerialPort*",
    "*/libQt6Sql*", "*/libQt6Test*", "*/libQt6TextToSpeech*", "*/libQt6RemoteObjects*", "*/libQt6Help*",
    "*/libQt63D*", "*/libQt6Charts*", "*/libQt6DataVisualization*", "*/libQt6Graphs*", "*/libQt6Lottie*",
    "*/libav*", "*/libswscale*", "*/libswresample*",
    # Qt plug-ins for features the window never uses.
    "*/plugins/multimedia/*", "*/plugins/sqldrivers/*", "*/plugins/designer/*", "*/plugins/qmltooling/*",
    "*/plugins/sceneparsers/*", "*/plugins/renderers/*", "*/plugins/geometryloaders/*",
    "*/plugins/texttospeech/*", "*/plugins/position/*", "*/plugins/printsupport/*",
    "*/plugins/networkinformation/*", "*/plugins/qmllint/*", "*/plugins/assetimporters/*",
    "*/plugins/egldeviceintegrations/*", "*/plugins/generic/*",
    "*/plugins/platforms/libqeglfs.so", "*/plugins/platforms/libqlinuxfb.so", "*/plugins/platforms/libqminimal*.so",
    "*/plugins/platforms/libqvkkhrdisplay.so", "*/plugins/platforms/libqvnc.so", "*/libQt6EglFSDeviceIntegration*",
    "*/plugins/imageformats/libqpdf.so", "*/plugins/imageformats/libqicns.so", "*/plugins/imageformats/libqtga.so",
    "*/plugins/imageformats/libqtiff.so", "*/plugins/imageformats/libqwbmp.so",
    # The GTK platform theme pulls in GTK 3, GDK, Cairo and Pango (about 15 MB) for native-looking dialogs;
    # Qt's own dialogs (or the desktop portal, kept) do the same job.
    "*/plugins/platformthemes/libqgtk3.so",
    # Translations: the app's menus are English; Chromium needs one locale pack (en-US) and falls back to it.
    "*/Qt6/translations/*.qm",
    "*/qtwebengine_locales/*",
    # Chromium's developer tools (F12 under --debug) are for working on pages, which the source install is for.
    "*/qtwebengine_devtools_resources*.pak",
    # Debug symbols and type stubs.
    "*.debug", "*.pyi",
]

#: Exceptions to _DROP: the one locale pack Chromium cannot start without.
_KEEP = ["*/qtwebengine_locales/en-US.pak"]


def _wanted(dest: str) -> bool:
    path = "/" + dest.replace("\\", "/")
    if any(fnmatch.fnmatch(path, pattern) for pattern in _KEEP):
        return True
    return not any(fnmatch.fnmatch(path, pattern) for pattern in _DROP)


def keep_binary(dest: str) -> bool:
    """True when a collected shared library or extension module stays in the app."""
    return _wanted(dest)


def keep_data(dest: str) -> bool:
    """True when a collected data file stays in the app (the runtime bundle and pages always stay)."""
    if dest.replace("\\", "/").startswith(("bundled_runtime/", "pages/", "desktop/static/", "icons/")):
        return True
    return _wanted(dest)


#: Libraries loaded by name at run time (dlopen), which no link table mentions: never orphans.
_LOADED_BY_NAME = ["libpython*", "libnss*", "libsoftokn*", "libfreebl*", "libsqlite3*", "libnssckbi*", "libssl*", "libcrypto*"]


def drop_orphans(binaries: list[tuple], dependencies: Callable[[str], Iterable[tuple]]) -> list[tuple]:
    """`binaries` less the top-level shared libraries that no kept binary links to any more.

    PyInstaller collects a plug-in's dependencies next to the app; once the plug-in is
    trimmed (the GTK theme, printing), its GTK, Cairo, Pango and CUPS libraries stay
    behind unused. `dependencies(path)` gives the library names a binary links to
    (PyInstaller's bindepend.get_imports).
    """
    top = {entry[0]: entry for entry in binaries if "/" not in entry[0] and "\\" not in entry[0]}
    roots = [entry for entry in binaries if entry[0] not in top or ".cpython-" in entry[0]
             or any(fnmatch.fnmatch(entry[0], p) for p in _LOADED_BY_NAME)]
    needed: set[str] = set()
    stack = [entry[1] for entry in roots]
    while stack:
        try:
            names = [name for name, _ in dependencies(stack.pop())]
        except Exception:  # noqa: BLE001 - an unreadable file keeps everything it might need
            return binaries
        for name in names:
            if name in top and name not in needed:
                needed.add(name)
                stack.append(top[name][1])
    return [entry for entry in binaries if entry[0] not in top or entry in roots or entry[0] in needed]
