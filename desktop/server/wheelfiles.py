"""Files pages fetch from GitHub or an npm CDN, answered from the bundled wheel of the same project.

Two kinds of page name files a Python package's wheel also holds:

- LTK, the PyScript team's widget toolkit, tells pages to list its modules in `[files]` straight from
  its repository (`"https://raw.githubusercontent.com/pyscript/ltk/main/ltk/jquery.py" = "ltk/jquery.py"`,
  and `ltk.js`, `ltk.css`...). Offline that was seven blocked requests and `ImportError: no module
  named 'ltk'`. The project publishes the same folder as a wheel on PyPI (`pyscript-ltk`).
- Panel pages load Panel's JavaScript (`cdn.jsdelivr.net/npm/@holoviz/panel@1.3.8/dist/panel.min.js`,
  and Panel itself asks `cdn.holoviz.org/panel/<version>/dist/...` for its stylesheets) beside the
  Python `panel`. The two must be the same version, npm has only the newest Panel (for a newer
  bokeh than Pyodide 0.27's), and the Python wheel carries the very files under `panel/dist/`.

The runtime bundles those wheels and checks them against their pinned sha256 like every other
package, so such URLs are answered from the wheel's files, with a console notice naming what stands
in. A URL of a repository or package not in these tables is left alone: the page's policy blocks
it, or the library cache answers it, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["GITHUB_HOSTS", "WHEEL_PREFIX", "REPOSITORIES", "NPM_PACKAGES", "WheelFile", "github_file", "npm_file"]

GITHUB_HOSTS = ("raw.githubusercontent.com",)
#: Where the server answers them: /_wheel/<distribution>/<file in the wheel>
WHEEL_PREFIX = "/_wheel"

#: owner/repository -> (the distribution the runtime bundles, the package folder its wheel holds)
REPOSITORIES: dict[str, tuple[str, str]] = {
    "pyscript/ltk": ("pyscript-ltk", "ltk"),
}
#: npm package -> (the distribution the runtime bundles, the folder of its wheel that holds the npm package's files)
NPM_PACKAGES: dict[str, tuple[str, str]] = {
    "@holoviz/panel": ("panel", "panel"),
}

#: /<owner>/<repo>/<ref: a branch, refs/heads/<branch>, a tag or a commit>/<path in the repository>
_RAW = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/(?:refs/(?:heads|tags)/)?(?P<ref>[^/]+)/(?P<path>.+)$")


@dataclass(frozen=True)
class WheelFile:
    """A file the page named, as the bundled wheel of its project holds it."""

    distribution: str
    member: str  # the file's path inside the wheel
    asked: str  # what the page named it by: "pyscript/ltk at main", "@holoviz/panel@1.3.8"

    @property
    def path(self) -> str:
        """The URL path this server answers it at."""
        return f"{WHEEL_PREFIX}/{self.distribution}/{self.member}"

    @property
    def notice(self) -> str:
        return f"{self.asked}: {self.member} is answered from the bundled {self.distribution} package's own files."


def github_file(host: str, path: str) -> WheelFile | None:
    """The wheel file that answers https://host/path, or None (another host or repository, or a file outside
    the project's package folder: its README, tests, build files)."""
    if host not in GITHUB_HOSTS:
        return None
    m = _RAW.match(path)
    if m is None:
        return None
    repository = m["repo"].lower()
    if repository not in REPOSITORIES:
        return None
    distribution, package = REPOSITORIES[repository]
    parts = m["path"].split("/")
    if package not in parts[:-1] or ".." in parts:
        return None
    # (the folder may sit under src/, as LTK's did in 2023: the wheel has it at its top)
    member = "/".join(parts[parts.index(package):])
    return WheelFile(distribution, member, f"{repository} at {m['ref']}")


def npm_file(package: str, version: str, file: str | None) -> WheelFile | None:
    """The wheel file that answers `file` of npm `package`@`version`, or None (another package, or no file named)."""
    entry = NPM_PACKAGES.get(package)
    if entry is None or not file:
        return None
    parts = file.strip("/").split("/")
    if ".." in parts or "" in parts:
        return None
    distribution, folder = entry
    return WheelFile(distribution, "/".join([folder, *parts]), f"{package}@{version}")
