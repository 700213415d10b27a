"""The stable per-folder port: same folder, same origin, and never in an ephemeral range."""

from __future__ import annotations

from desktop.window.servers import STABLE_PORTS, stable_port

#: Where systems pick local ports for outgoing connections (Linux default; Windows and macOS).
EPHEMERAL = {"linux": range(32768, 61000), "windows/macos": range(49152, 65536)}


def test_same_folder_same_port():
    assert stable_port("/home/ada/site") == stable_port("/home/ada/site")
    assert len({stable_port(f"/home/ada/site{i}") for i in range(200)}) > 150


def test_stable_ports_never_collide_with_outgoing_connections():
    # A folder whose port an outgoing connection held got another origin that launch, and with it
    # an empty localStorage/IndexedDB (seen in CI with the old 20000-39999 range).
    for name, ephemeral in EPHEMERAL.items():
        assert STABLE_PORTS.stop <= ephemeral.start, name
    assert all(stable_port(f"/f{i}") in STABLE_PORTS for i in range(2000))
