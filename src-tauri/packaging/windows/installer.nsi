; Roomtone's Windows installer, built on Linux by Debian's makensis (scripts/windows-build).
; Per user, no administrator rights: the app in %LOCALAPPDATA%\Programs\Roomtone, the
; command-line tool in its bin\ folder (added to the user's PATH), the roomtone:// scheme in
; HKCU\Software\Classes (the sign-in's way back into the app), a Start menu entry, and an
; uninstaller that takes all of it back, the autostart entry the app may have added included.
;
; makensis -DVERSION=0.1.0 -DSTAGE=<folder with the three files> -DOUTFILE=<setup.exe> -DICON=<.ico>

Unicode true
; A 64-bit installer for a 64-bit app (and Wine without 32-bit support runs it).
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!include MUI2.nsh
!include LogicLib.nsh
!include StrFunc.nsh
!include WinMessages.nsh
${StrRep}
${UnStrRep}

!define NAME "Roomtone"
!define EXE "roomtone.exe"
!define CLI "roomtone-cli.exe"
!define SCHEME "roomtone"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${NAME}"
; tauri-plugin-autostart's entry (the app's product name under Run).
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
; The Evergreen WebView2 runtime, per machine and per user (Microsoft's documented keys).
!define WEBVIEW2_GUID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_DOWNLOAD "https://developer.microsoft.com/microsoft-edge/webview2/"
; NSIS strings hold 1,023 characters: a PATH over 1,000 (2,000 bytes of UTF-16) is left
; alone rather than cut short.
!define PATH_BYTES 2000

Name "${NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${NAME}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${NAME} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${NAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${NAME} installer"
VIAddVersionKey "LegalCopyright" "MIT OR Apache-2.0"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Open ${NAME}"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; $0: the user's PATH as stored (unexpanded), or "" when there is none. Error flag set when
; it is too long to edit here.
!macro ReadUserPath
  ClearErrors
  StrCpy $0 ""
  ; HKEY_CURRENT_USER (sign-extended), REG_SZ | REG_EXPAND_SZ unexpanded: the size in bytes
  ; of the stored value, whatever it is.
  System::Call 'advapi32::RegGetValueW(p -2147483647, w "Environment", w "Path", i 0x10000006, p 0, p 0, *i 0 r1) i .r2'
  ${If} $2 = 0
    ${If} $1 > ${PATH_BYTES}
      SetErrors
    ${Else}
      ReadRegStr $0 HKCU "Environment" "Path"
    ${EndIf}
  ${EndIf}
!macroend

!macro TellEveryone
  ; Explorer and terminals opened from it read the new PATH.
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=500
!macroend

Function .onInit
  ; WebView2 ships with Windows 11 and current Windows 10; without it the window cannot open.
  SetRegView 64
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  ${If} $0 == ""
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    MessageBox MB_YESNO|MB_ICONINFORMATION "${NAME} needs Microsoft's WebView2 runtime, which this computer does not have yet.$\n$\nOpen Microsoft's download page now? (${NAME} installs either way; install the runtime before you open it.)" /SD IDNO IDNO done
    ExecShell "open" "${WEBVIEW2_DOWNLOAD}"
    done:
  ${EndIf}
FunctionEnd

Section "Roomtone"
  SetOutPath "$INSTDIR"
  File "${STAGE}\${EXE}"
  File "${STAGE}\WebView2Loader.dll"
  SetOutPath "$INSTDIR\bin"
  File "${STAGE}\${CLI}"
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; roomtone:// opens the app with the link as its argument; a running app gets it from
  ; the second instance (tauri-plugin-single-instance).
  WriteRegStr HKCU "Software\Classes\${SCHEME}" "" "URL:${NAME}"
  WriteRegStr HKCU "Software\Classes\${SCHEME}" "URL Protocol" ""
  WriteRegStr HKCU "Software\Classes\${SCHEME}\DefaultIcon" "" '"$INSTDIR\${EXE}",0'
  WriteRegStr HKCU "Software\Classes\${SCHEME}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'

  CreateShortcut "$SMPROGRAMS\${NAME}.lnk" "$INSTDIR\${EXE}"

  ; The command-line tool on the user's PATH, once.
  !insertmacro ReadUserPath
  ${If} ${Errors}
    DetailPrint "Your PATH is too long to change here: add $INSTDIR\bin to it to run ${CLI} by name."
  ${Else}
    ${StrRep} $3 ";$0;" ";$INSTDIR\bin;" ";"
    ${If} $3 == ";$0;"
      ${If} $0 == ""
        StrCpy $0 "$INSTDIR\bin"
      ${Else}
        StrCpy $0 "$0;$INSTDIR\bin"
      ${EndIf}
      WriteRegExpandStr HKCU "Environment" "Path" "$0"
      !insertmacro TellEveryone
    ${EndIf}
  ${EndIf}

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\bin\${CLI}"
  RMDir "$INSTDIR\bin"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${NAME}.lnk"

  DeleteRegKey HKCU "Software\Classes\${SCHEME}"
  DeleteRegValue HKCU "${RUN_KEY}" "${NAME}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"

  !insertmacro ReadUserPath
  ${IfNot} ${Errors}
    ${UnStrRep} $3 ";$0;" ";$INSTDIR\bin;" ";"
    ${If} $3 != ";$0;"
      ; Drop the separators the wrapping added.
      StrCpy $3 $3 "" 1
      StrCpy $3 $3 -1
      WriteRegExpandStr HKCU "Environment" "Path" "$3"
      !insertmacro TellEveryone
    ${EndIf}
  ${EndIf}
  ; The settings, the window's place and the logs stay (a reinstall finds them); the
  ; sign-in stays in the Credential Manager until `roomtone-cli logout` or Sign out.
SectionEnd
