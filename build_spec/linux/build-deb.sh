#!/usr/bin/env bash
# Linux installers: freezes the app (dist/pyscript-desktop/, unless it is there already) and makes
#   dist/pyscript-desktop_<version>_<arch>.deb   (dpkg-deb: /opt/pyscript-desktop, /usr/bin/pyscript-desktop,
#                                                 menu entry with icon, "Open with" for .html, clean removal)
#   dist/pyscript-desktop-<version>-linux.tar.gz (portable: unpack anywhere and run ./pyscript-desktop)
#   with --engine system: only dist/pyscript-desktop_<version>+system_<arch>.deb, no freeze: the app on the
#                                                 system's Python 3 and WebKitGTK (Depends: python3-gi, gir1.2-webkit2-4.1)
# Usage: build_spec/linux/build-deb.sh [--freeze] [--out DIR] [--engine system] [--fast (stored, not compressed: for tests)]  (needs: .venv with the test extras, dpkg-dev)
# The packaging logic lives in desktop/packaging/ (deb.py, tarball.py); this is the entry point CI calls.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v dpkg-deb >/dev/null || { echo "dpkg-deb is missing: sudo apt-get install dpkg-dev" >&2; exit 1; }
exec "${PYTHON:-.venv/bin/python}" -m desktop.packaging.release "$@"
