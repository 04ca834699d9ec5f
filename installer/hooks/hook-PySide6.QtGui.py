# Replaces PyInstaller's own hook for PySide6.QtGui (hooks in installer/hooks come first) to leave
# out two groups of Qt plugins that a counter PC does not use and whose libraries PyInstaller
# would not bundle completely:
# - the GTK 3 theme: it needs the whole GTK 3 stack (PyInstaller would bundle cairo, pango and
#   ATK from the build machine, but not GTK itself); without it Qt draws with its own Fusion
#   style, for which the window is designed;
# - the Wayland platform: UOS and Kylin desktops run X11, and under a Wayland session Qt uses the
#   xcb platform through XWayland. The package then needs no Wayland libraries, and the two
#   platforms the program is tested on (xcb and offscreen) are the ones it has.
from PyInstaller.utils.hooks.qt import add_qt6_dependencies

LEFT_OUT = ("libqgtk3", "libqwayland", "/plugins/wayland-")

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [
    (source, destination)
    for source, destination in binaries
    if not any(part in source.replace("\\", "/") for part in LEFT_OUT)
]
