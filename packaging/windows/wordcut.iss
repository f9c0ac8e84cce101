; Inno Setup script: a per-user Windows installer around PyInstaller's onedir.
;   iscc /DAppVersion=0.1.0 /DDistDir=..\..\build\dist\wordcut packaging\windows\wordcut.iss
; (the version comes from `python packaging\appinfo.py`; see packaging/README.md).
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef DistDir
  #define DistDir "..\..\build\dist\wordcut"
#endif

[Setup]
AppId={{6F1C2B0E-5D7A-4C61-9B8E-3A2D7C9E4F10}
AppName=Wordcut
AppVersion={#AppVersion}
AppPublisher=The Wordcut developers
DefaultDirName={autopf}\Wordcut
DefaultGroupName=Wordcut
; Per-user by default (no administrator rights); an administrator may still install for all.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\build\artifacts
OutputBaseFilename=Wordcut-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\wordcut.ico
UninstallDisplayIcon={app}\WordcutApp.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Signing: iscc /Ssigntool="signtool sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /f $f /p $p $f"
; SignTool=signtool

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Wordcut"; Filename: "{app}\WordcutApp.exe"
Name: "{autodesktop}\Wordcut"; Filename: "{app}\WordcutApp.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\WordcutApp.exe"; Description: "Start Wordcut"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installer put in {app}; the user's projects (%LOCALAPPDATA%\Wordcut) stay.
Type: filesandordirs; Name: "{app}\_internal"
