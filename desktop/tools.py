"""The external programs the app runs, each wrapped in one shape (as Briefcase's tool integrations).

    node = Node.find()          # looked up once, on PATH (or given: Node("/opt/node/bin/node"), Node(None))
    if node.available(): ...    # an optional tool (xset, dpkg, caffeinate) is simply skipped when missing
    exe = node.verify()         # a required one: the program to run, or its DesktopError with how to get it

Nothing else in the package looks a program up on PATH. A tool's error is the DesktopError of the
layer that needs it (FetchError for the runtime's tools, PackagingError for builds), so the exit
codes stay those of the command that failed.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from dataclasses import dataclass
from typing import ClassVar, Self

from .errors import DesktopError, FetchError, PackagingError

__all__ = [
    "Tool", "Node", "DpkgDeb", "Dpkg", "Xset", "SystemdInhibit", "Caffeinate", "SystemPython",
    "PyInstaller",
]


@dataclass(frozen=True)
class Tool:
    """A program on PATH: `find()` it, ask `available()`, or `verify()` it before running it."""

    #: The name looked up on PATH.
    command: ClassVar[str] = ""
    #: What people call it, in messages.
    label: ClassVar[str] = ""
    #: What the app needs it for, completing "<command> is not installed, and ...".
    purpose: ClassVar[str] = "the app needs it"
    #: The next step that gets it.
    install: ClassVar[str] = ""
    #: The DesktopError raised when it is missing.
    error: ClassVar[type[DesktopError]] = DesktopError

    #: The program to run; None when it is not installed.
    executable: str | None = None

    @classmethod
    def find(cls) -> Self:
        return cls(shutil.which(cls.command))

    def available(self) -> bool:
        return self.executable is not None

    def verify(self) -> str:
        """The program to run; raises this tool's DesktopError, saying how to install it, when it is missing."""
        if self.executable is None:
            raise self.error(f"{self.label or self.command} is not installed, and {self.purpose}.", self.install)
        return self.executable


@dataclass(frozen=True)
class Node(Tool):
    command: ClassVar[str] = "node"
    label: ClassVar[str] = "Node.js"
    purpose: ClassVar[str] = "it runs the bundle's Pyodide to precompile package files"
    install: ClassVar[str] = ("Install Node.js (for example `sudo apt-get install nodejs`), "
                              "then run: python main.py runtime fetch")
    error: ClassVar[type[DesktopError]] = FetchError


@dataclass(frozen=True)
class DpkgDeb(Tool):
    command: ClassVar[str] = "dpkg-deb"
    purpose: ClassVar[str] = "it is needed to make a .deb"
    install: ClassVar[str] = "Install it with: sudo apt-get install dpkg-dev (or use the .tar.gz)."
    error: ClassVar[type[DesktopError]] = PackagingError


@dataclass(frozen=True)
class Dpkg(Tool):
    command: ClassVar[str] = "dpkg"
    purpose: ClassVar[str] = "it names this machine's architecture for a .deb"
    install: ClassVar[str] = "Install it with: sudo apt-get install dpkg."
    error: ClassVar[type[DesktopError]] = PackagingError


@dataclass(frozen=True)
class Xset(Tool):
    command: ClassVar[str] = "xset"
    purpose: ClassVar[str] = "a kiosk uses it to keep the X display from blanking"
    install: ClassVar[str] = "Install it with: sudo apt-get install x11-xserver-utils."


@dataclass(frozen=True)
class SystemdInhibit(Tool):
    command: ClassVar[str] = "systemd-inhibit"
    purpose: ClassVar[str] = "a kiosk uses it to hold off idle sleep"
    install: ClassVar[str] = "It comes with systemd; without it the desktop's own idle settings apply."


@dataclass(frozen=True)
class Caffeinate(Tool):
    command: ClassVar[str] = "caffeinate"
    purpose: ClassVar[str] = "a kiosk on macOS uses it to keep the display awake"
    install: ClassVar[str] = "It comes with macOS."


@dataclass(frozen=True)
class SystemPython(Tool):
    """The Python that runs pip: this interpreter, or in a frozen app (which has no pip inside) the system's."""

    command: ClassVar[str] = "python3"
    purpose: ClassVar[str] = "pip runs in it to download Python packages"
    install: ClassVar[str] = "Install Python 3 with pip (for example `sudo apt-get install python3-pip`)."
    error: ClassVar[type[DesktopError]] = FetchError

    @classmethod
    def find(cls) -> Self:
        if getattr(sys, "frozen", False):
            return cls(shutil.which("python3") or shutil.which("python") or sys.executable)
        return cls(sys.executable)


@dataclass(frozen=True)
class PyInstaller(Tool):
    """PyInstaller as a module of this Python (`python -m PyInstaller`); `executable` is that Python."""

    command: ClassVar[str] = "PyInstaller"
    purpose: ClassVar[str] = "it is needed to freeze the app"
    install: ClassVar[str] = ("Install it with: .venv/bin/python -m pip install 'pyinstaller>=6.10' "
                              "(or ./run-tests installs the test extras).")
    error: ClassVar[type[DesktopError]] = PackagingError

    @classmethod
    def find(cls) -> Self:
        if getattr(sys, "frozen", False) or importlib.util.find_spec("PyInstaller") is None:
            return cls(None)
        return cls(sys.executable)

    def verify(self) -> str:
        if getattr(sys, "frozen", False):
            raise PackagingError(
                "This installed app cannot freeze itself again.",
                "Run build from the installed app with --base pointing at it (the default), or from a source checkout.",
            )
        if self.executable is None:
            raise PackagingError(f"PyInstaller is not installed for {sys.executable}; {self.purpose}.", self.install)
        return self.executable
