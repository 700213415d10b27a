"""Folder handles (desktop/bridge/folders.py): the descriptor walk, and the path fallback's rules, on real folders.

The fallback (`PathFolder`) is what a platform without `dir_fd` (Windows)
gets; its rules are tested here on Linux by forcing it, through the same
`open_folder` and the same `FileOps` the bridge uses.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.bridge.errors import BridgeError
from desktop.bridge.files import FileOps
from desktop.bridge.folders import FdFolder, PathFolder, USES_DIR_FD, open_folder
from desktop.bridge.grants import Grant, GrantSet


def test_linux_walks_through_descriptors():
    assert USES_DIR_FD, "Linux has dir_fd for every call the bridge makes: the fallback must not be in use here"
    with open_folder(Path("/")) as root:
        assert isinstance(root, FdFolder)


@pytest.fixture
def tree(tmp_path: Path):
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("secret")
    (tmp_path / "data" / "file.txt").write_text("inside")
    (tmp_path / "data" / "door").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "data" / "link.txt").symlink_to(tmp_path / "outside" / "secret.txt")
    return tmp_path


@pytest.mark.parametrize("fallback", [False, True], ids=["descriptors", "path fallback"])
class TestRules:
    def test_the_right_kind(self, tree, fallback):
        with open_folder(tree / "data", fallback=fallback) as folder:
            assert isinstance(folder, PathFolder if fallback else FdFolder)
            assert folder.path == tree / "data"

    def test_a_symlinked_folder_on_the_way_is_refused(self, tree, fallback):
        with pytest.raises(BridgeError) as refused:
            open_folder(tree / "data" / "door", fallback=fallback)
        assert refused.value.errno_name == "EACCES" and "changed while in use" in refused.value.message

    def test_a_symlinked_ancestor_is_refused(self, tree, fallback):
        (tree / "alias").symlink_to(tree / "data", target_is_directory=True)
        with pytest.raises(BridgeError):
            open_folder(tree / "alias" / "sub", fallback=fallback)

    def test_a_file_on_the_way_is_not_a_folder(self, tree, fallback):
        with pytest.raises(NotADirectoryError):
            open_folder(tree / "data" / "file.txt", fallback=fallback)

    def test_a_missing_folder_is_not_created_without_asking(self, tree, fallback):
        with pytest.raises(FileNotFoundError):
            open_folder(tree / "data" / "new" / "deeper", fallback=fallback)
        assert not (tree / "data" / "new").exists()

    def test_create_below_creates_only_below_the_given_folder(self, tree, fallback):
        with open_folder(tree / "data" / "new" / "deeper", create_below=tree / "data", fallback=fallback):
            pass
        assert (tree / "data" / "new" / "deeper").is_dir()
        with pytest.raises(FileNotFoundError):  # the grant's own folder (and above) is never created
            open_folder(tree / "gone" / "x", create_below=tree / "gone", fallback=fallback)
        assert not (tree / "gone").exists()

    def test_a_symlink_as_the_last_name_is_never_opened(self, tree, fallback):
        with open_folder(tree / "data", fallback=fallback) as folder:
            with pytest.raises(BridgeError):
                folder.open("link.txt", os.O_RDONLY)
            fd = folder.open("file.txt", os.O_RDONLY)
            assert os.read(fd, 100) == b"inside"
            os.close(fd)

    def test_names_are_acted_on_themselves(self, tree, fallback):
        with open_folder(tree / "data", fallback=fallback) as folder, open_folder(tree / "data" / "sub", fallback=fallback) as sub:
            assert {name for name, _ in folder.entries()} == {"sub", "file.txt", "door", "link.txt"}
            folder.rename("link.txt", sub, "moved-link")
            folder.unlink("door")
            folder.mkdir("made")
            folder.rmdir("made")
        assert os.readlink(tree / "data" / "sub" / "moved-link") == str(tree / "outside" / "secret.txt")
        assert not os.path.lexists(tree / "data" / "door")
        assert (tree / "outside" / "secret.txt").read_text() == "secret"

    def test_file_operations_keep_their_rules(self, tree, fallback):
        data = tree / "data"
        ops = FileOps(GrantSet([Grant.of(data, write=True)]), data, fallback=fallback)
        writer = ops.writer("sub/new.txt")
        ops.write_chunk(writer, b"hello")
        assert ops.commit(writer) == 5 and (data / "sub" / "new.txt").read_text() == "hello"
        assert ops.read("sub/new.txt") == (b"hello", 5)
        assert [e["name"] for e in ops.listdir("sub")["entries"]] == ["new.txt"]
        assert {"path": "door", "kind": "link"} in ops.walk(".")["entries"]
        with pytest.raises(BridgeError):
            ops.read("link.txt")  # leads outside
        with pytest.raises(BridgeError):
            ops.writer("door/x.txt")
        ops.rename("link.txt", "sub/link2")  # the link itself moves
        ops.remove("door")  # the link itself goes
        assert os.path.islink(data / "sub" / "link2") and not os.path.lexists(data / "door")
        assert sorted(p.name for p in (tree / "outside").iterdir()) == ["secret.txt"]
        assert ops.mkdir("a/b/c", parents=True) == str(data / "a" / "b" / "c")
        ops.remove("sub/new.txt")
        assert not (data / "sub" / "new.txt").exists()


AS_NOBODY = r"""
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from desktop.bridge.errors import BridgeError
from desktop.bridge.files import FileOps
from desktop.bridge.grants import Grant, GrantSet
data = Path(sys.argv[2])
ops = FileOps(GrantSet([Grant.of(data, write=True)]), data)
print(ops.read("in.txt")[0].decode())
writer = ops.writer("new.txt"); ops.write_chunk(writer, b"made"); print(ops.commit(writer))
print(sorted(e["name"] for e in ops.listdir(".")["entries"]))
try:
    ops.listdir(str(data / "closed"))
except BridgeError as error:
    print(error.errno_name)
"""


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/usr/bin/python3"), reason="plays another user: needs root")
def test_a_folder_that_may_be_passed_but_not_listed(tmp_path_factory):
    """Home folders are often 0711: the walk passes them (O_PATH) without needing to list them, as `nobody`."""
    import pwd
    import shutil
    import subprocess
    import tempfile

    nobody = pwd.getpwnam("nobody")
    top = Path(tempfile.mkdtemp(prefix="bridge-o-path-", dir="/tmp"))
    try:
        passage = top / "home"
        data = passage / "data"
        (data / "closed").mkdir(parents=True)
        (data / "in.txt").write_text("inside")
        for path in (passage, data, data / "closed", data / "in.txt"):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        os.chmod(top, 0o755)
        os.chmod(passage, 0o311)  # may pass through, may not list
        os.chmod(data / "closed", 0o300)  # inside the grant, not listable
        repo = str(Path(__file__).resolve().parents[2])
        run = subprocess.run(["/usr/bin/python3", "-c", AS_NOBODY, repo, str(data)], capture_output=True, text=True,
                             user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[], timeout=60, cwd="/")
        assert run.returncode == 0, run.stderr
        assert run.stdout.split("\n")[:4] == ["inside", "4", "['closed', 'in.txt', 'new.txt']", "EACCES"], run.stdout
        assert (data / "new.txt").read_text() == "made"
    finally:
        os.chmod(passage, 0o755)
        shutil.rmtree(top)
