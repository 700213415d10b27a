#!/usr/bin/env bash
# macOS: freezes "PyScript Desktop.app" (the spec's BUNDLE step) and wraps it in a .dmg.
# Runs on macOS only (PyInstaller cannot cross-compile; hdiutil is macOS's). Not run in this
# project's Linux environment: CI's macOS runner runs it (.github/workflows/build.yml).
#
#   build_spec/macos/build-dmg.sh            -> dist/PyScript Desktop.app, dist/pyscript-desktop-<version>-macos.dmg
#
# Signing and notarisation (needed for Gatekeeper to open it without a warning), when the
# secrets exist:
#   MACOS_SIGN_IDENTITY  "Developer ID Application: NAME (TEAMID)"  -> codesign --deep --options runtime
#   MACOS_NOTARY_PROFILE a `xcrun notarytool store-credentials` profile -> notarytool submit --wait; stapler staple
# Without them the .dmg is unsigned: it opens after right-click > Open (or System Settings >
# Privacy & Security > Open Anyway). See build_spec/macos/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
py="${PYTHON:-.venv/bin/python}"
version="$("$py" -c 'import desktop; print(desktop.__version__)')"
app="dist/PyScript Desktop.app"
dmg="dist/pyscript-desktop-${version}-macos.dmg"

"$py" -m PyInstaller --noconfirm --distpath dist --workpath build/pyinstaller build_spec/pyscript-desktop.spec
[ -d "$app" ] || { echo "PyInstaller made no $app" >&2; exit 1; }

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  # Qt WebEngine's helper needs JIT and unsigned executable memory under the hardened runtime.
  codesign --force --deep --timestamp --options runtime \
    --entitlements build_spec/macos/entitlements.plist --sign "$MACOS_SIGN_IDENTITY" "$app"
  codesign --verify --deep --strict "$app"
fi

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"      # drag-to-install
rm -f "$dmg"
hdiutil create -volname "PyScript Desktop" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
fi
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "$dmg" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
  xcrun stapler staple "$dmg"
fi
echo "made $dmg"
