"""Python files pages fetch raw from GitHub, answered from the bundled wheel of the same project.

LTK, the PyScript team's widget toolkit, tells pages to list its modules in `[files]` straight from
its repository (`"https://raw.githubusercontent.com/pyscript/ltk/main/ltk/jquery.py" = "ltk/jquery.py"`,
and `ltk.js`, `ltk.css`...), and the pages built with it do so. Offline that is seven blocked
requests and `ImportError: no module named 'ltk'`. The project publishes the same folder as a
wheel on PyPI (`pyscript-ltk`), which the runtime bundles and checks against its pinned sha256 like
every other package, so those URLs are answered from that wheel's files instead: the released
version of the folder the page asked for at a branch, with a console notice naming it.

A URL of a repository not in the table is left alone: the page's policy blocks it and the page
shows which file it lacked (blocked.js).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["GITHUB_HOSTS", "GITHUB_PREFIX", "REPOSITORIES", "GithubFile", "github_file"]

GITHUB_HOSTS = ("raw.githubusercontent.com",)
#: Where the server answers them: /_github/<distribution>/<file in the wheel>
GITHUB_PREFIX = "/_github"

#: owner/repository -> (the distribution the runtime bundles, the package folder its wheel holds)
REPOSITORIES: dict[str, tuple[str, str]] = {
    "pyscript/ltk": ("pyscript-ltk", "ltk"),
}

#: /<owner>/<repo>/<ref: a branch, refs/heads/<branch>, a tag or a commit>/<path in the repository>
_RAW = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/(?:refs/(?:heads|tags)/)?(?P<ref>[^/]+)/(?P<path>.+)$")


@dataclass(frozen=True)
class GithubFile:
    """A file of a known repository, as the bundled wheel of its project holds it."""

    repository: str
    ref: str
    distribution: str
    member: str  # the file's path inside the wheel

    @property
    def path(self) -> str:
        """The URL path this server answers it at."""
        return f"{GITHUB_PREFIX}/{self.distribution}/{self.member}"


def github_file(host: str, path: str) -> GithubFile | None:
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
    return GithubFile(repository, m["ref"], distribution, member)
