; Inno Setup script of the Windows installer of 通办 (tongban): tongban-<version>-setup.exe.
;
; Built on Windows: `python installer\build.py` makes the bundle (dist\tongban) and the icon, then
; runs Inno Setup's compiler with the defines below. By hand, after the bundle exists:
;   ISCC.exe /DAppVersion=0.1.0 installer\tongban.iss
; docs/INSTALL.md describes the whole procedure. The installer speaks Simplified Chinese, installs
; for all users (administrator rights), adds a Start-menu group, and uninstalls everything it
; installed. The workstation's data (cases, settings, logs) is in each user's
; %LOCALAPPDATA%\tongban, which the uninstaller keeps unless the person removing it says so.

#ifndef AppVersion
  #error 缺少版本号：请用 installer\build.py 构建，或传入 /DAppVersion=x.y.z（与 pyproject.toml 一致）
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\tongban"
#endif
#ifndef IconFile
  #define IconFile "..\build\icons\tongban.ico"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif

; Inno Setup 6 ships the Simplified Chinese messages among its unofficial translations, or not at
; all; wherever the file is, the build must not silently fall back to English.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
  #define ChineseMessages "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(AddBackslash(CompilerPath) + "Languages\Unofficial\ChineseSimplified.isl")
  #define ChineseMessages "compiler:Languages\Unofficial\ChineseSimplified.isl"
#elif FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
  #define ChineseMessages AddBackslash(SourcePath) + "ChineseSimplified.isl"
#else
  #error 找不到 ChineseSimplified.isl：请把 Inno Setup 的简体中文语言文件放入其 Languages 文件夹（见 docs/INSTALL.md）
#endif

[Setup]
; The AppId identifies the program to Windows across versions: never change it.
AppId={{6F0E2C3B-6A1D-4B7E-9C55-2B8E7D4A1F30}
AppName=通办
AppVersion={#AppVersion}
AppVerName=通办 {#AppVersion}
AppPublisher=通办项目组
VersionInfoVersion={#AppVersion}
VersionInfoDescription=通办 — 社区事务受理服务中心窗口系统
DefaultDirName={autopf}\Tongban
DefaultGroupName=通办
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=tongban-{#AppVersion}-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\tongbanw.exe
UninstallDisplayName=通办 {#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; A running counter holds its files open: ask to close it rather than fail half-way.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "chinesesimplified"; MessagesFile: "{#ChineseMessages}"

[CustomMessages]
chinesesimplified.DemoShortcut=通办演示工作站
chinesesimplified.KeepOrDeleteData=是否同时删除本机当前用户的通办数据？%n%n%1%n%n其中有本工作站的办件、设置和日志。尚未同步到中心的办件删除后无法恢复。%n选“否”保留数据，重新安装后可继续使用。

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; tongbanw.exe is the same program without a console window (tongban.exe is for the command line).
Name: "{group}\通办"; Filename: "{app}\tongbanw.exe"; WorkingDir: "{app}"
Name: "{group}\{cm:DemoShortcut}"; Filename: "{app}\tongbanw.exe"; Parameters: "demo"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,通办}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\通办"; Filename: "{app}\tongbanw.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\tongbanw.exe"; Description: "{cm:LaunchProgram,通办}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the program folder: whatever the program may have left there goes with it.
Type: filesandordirs; Name: "{app}"

[Code]
{ The uninstaller offers to delete the workstation's data folders (platformdirs' user data
  folder: the real workstation and the demo) of the user running it; other Windows accounts keep
  theirs. "No" is the default: cases not yet synced to the center exist nowhere else. }
procedure OfferToDeleteData(const Folder: String);
begin
  if DirExists(Folder) then
  begin
    if MsgBox(FmtMessage(CustomMessage('KeepOrDeleteData'), [Folder]),
              mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
      DelTree(Folder, True, True, True);
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and (not UninstallSilent()) then
  begin
    OfferToDeleteData(ExpandConstant('{localappdata}\tongban'));
    OfferToDeleteData(ExpandConstant('{localappdata}\tongban-demo'));
  end;
end;
