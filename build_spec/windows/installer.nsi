; PyScript Desktop for Windows: a per-user installer (no administrator rights needed).
;
; Build the one-folder app on Windows first (PyInstaller cannot cross-compile):
;   .venv\Scripts\pyinstaller --noconfirm build_spec\pyscript-desktop.spec
; then compile this script (NSIS 3; Debian's `nsis` package compiles it too):
;   makensis /DVERSION=0.1.0 /DAPP_DIR=dist\pyscript-desktop /DOUT_FILE=dist\pyscript-desktop-0.1.0-setup.exe build_spec\windows\installer.nsi
;
; Installs into %LOCALAPPDATA%\Programs\PyScript Desktop, adds a Start menu shortcut, an optional
; desktop shortcut, an "Open with" entry for .html files (HKCU only: the default handler is not
; changed), and an uninstaller listed in Settings > Apps. Nothing is written outside the user's profile.

Unicode true
!include "MUI2.nsh"

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef APP_DIR
  !define APP_DIR "..\..\dist\pyscript-desktop"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "..\..\dist\pyscript-desktop-${VERSION}-setup.exe"
!endif
!define APP_NAME "PyScript Desktop"
!define APP_EXE "pyscript-desktop.exe"
!define PROG_ID "PyScriptDesktop.html"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\PyScriptDesktop"

Name "${APP_NAME}"
OutFile "${OUT_FILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
SetCompressor /SOLID lzma
!define MUI_ICON "..\icons\pyscript-desktop.ico"
!define MUI_UNICON "..\icons\pyscript-desktop.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "!${APP_NAME}" SecApp
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File /r "${APP_DIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${APP_NAME}"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\Uninstall ${APP_NAME}.lnk" "$INSTDIR\uninstall.exe"

  ; "Open with" for .html, per user: a ProgID offered in the .html OpenWithProgids list.
  WriteRegStr HKCU "Software\Classes\${PROG_ID}" "" "HTML page (${APP_NAME})"
  WriteRegStr HKCU "Software\Classes\${PROG_ID}\DefaultIcon" "" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "Software\Classes\${PROG_ID}\shell\open\command" "" '"$INSTDIR\${APP_EXE}" open "%1"'
  WriteRegStr HKCU "Software\Classes\.html\OpenWithProgids" "${PROG_ID}" ""
  WriteRegStr HKCU "Software\Classes\.htm\OpenWithProgids" "${PROG_ID}" ""
  WriteRegStr HKCU "Software\Classes\Applications\${APP_EXE}\shell\open\command" "" '"$INSTDIR\${APP_EXE}" open "%1"'
  WriteRegStr HKCU "Software\Classes\Applications\${APP_EXE}\SupportedTypes" ".html" ""
  WriteRegStr HKCU "Software\Classes\Applications\${APP_EXE}\SupportedTypes" ".htm" ""

  ; Settings > Apps
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "PyScript Desktop"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'  ; SHCNE_ASSOCCHANGED
SectionEnd

Section /o "Desktop shortcut" SecDesktop
  SetShellVarContext current
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecApp} "The app, its offline runtime, a Start menu shortcut and Open with for .html files."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} "A shortcut on your desktop."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Section "Uninstall"
  SetShellVarContext current
  Delete "$DESKTOP\${APP_NAME}.lnk"
  RMDir /r "$SMPROGRAMS\${APP_NAME}"
  DeleteRegValue HKCU "Software\Classes\.html\OpenWithProgids" "${PROG_ID}"
  DeleteRegValue HKCU "Software\Classes\.htm\OpenWithProgids" "${PROG_ID}"
  DeleteRegKey HKCU "Software\Classes\${PROG_ID}"
  DeleteRegKey HKCU "Software\Classes\Applications\${APP_EXE}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  ; The app keeps user data in %LOCALAPPDATA%\pyscript-desktop (platformdirs); it is left for the person to keep or delete.
  RMDir /r "$INSTDIR"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd
