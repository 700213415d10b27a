#!/usr/bin/env bash
# Installs whatever is missing for the app (`setup.sh app`) or for the test suite (`setup.sh test`):
# system packages (Debian/Ubuntu, when root or with sudo), the virtual environment at .venv/,
# the Python packages, and the runtime bundle. Safe to run again: each step is skipped when done.
set -euo pipefail
profile="${1:-app}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# --- system packages -------------------------------------------------------------------------
# Qt WebEngine (the Linux window) needs these X/GL libraries; tests add Chromium, Xvfb and tools.
app_debs=(libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
          libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libegl1 libgl1 libnss3
          libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxkbfile1 libasound2 libfontconfig1 libdbus-1-3
          x11-xserver-utils)  # xset: a kiosk keeps the X display awake
test_debs=(chromium xvfb xauth openbox xdotool imagemagick dpkg-dev nsis binutils
           libglib2.0-bin desktop-file-utils   # gio and desktop-file-validate check desktop entries as launchers read them
           python3-gi python3-gi-cairo gir1.2-webkit2-4.1)  # the GTK backend and `build --engine system`'s .deb (WebKitGTK)
debs=("${app_debs[@]}")
[ "$profile" = test ] && debs+=("${test_debs[@]}")
# `runtime fetch` takes npm packages with the npm client (Node.js images ship their own npm).
command -v npm >/dev/null 2>&1 || debs+=(npm)
if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for d in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q "ok installed" || missing+=("$d")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if [ -n "$sudo" ] && ! command -v sudo >/dev/null 2>&1; then
      say "Missing system packages (install them as root): ${missing[*]}"
    else
      say "Installing system packages: ${missing[*]}"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
  fi
fi

# --- virtual environment and Python packages ---------------------------------------------------
py="${PYTHON:-python3}"
[ -x .venv/bin/python ] || { say "Creating .venv"; "$py" -m venv .venv; }
extras="qt"; [ "$profile" = test ] && extras="qt,test"
stamp=".venv/.installed-$extras-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "Installing Python packages ($extras)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$extras]"
  touch "$stamp"
fi

# --- the runtime bundle ----------------------------------------------------------------------
# The app needs the default pair; the tests exercise every pair. Both vendor the default JavaScript/CSS
# libraries that pages load from CDNs (d3, three, jQuery, Bootstrap, BokehJS, vega, plotly.js, Leaflet...).
if [ "$profile" = test ]; then .venv/bin/python main.py runtime fetch --all --js-defaults; else .venv/bin/python main.py runtime fetch --js-defaults; fi
