"""Can Qt open the display? Asked before the Studio creates its QApplication.

When Qt's platform plugin cannot load (on Linux most often a missing X11 library of the
xcb plugin) or the display cannot be reached, Qt calls qFatal and the interpreter aborts
with a message few users can act on. So a subprocess tries first; when it fails, the user
is told which library is missing, how to install it, and that ``aetherflow run`` runs the
same flow headless. `make run`'s launcher and ``aetherflow-studio`` share this module.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PROBE_FLAG = "--qt-probe"  # the frozen bundle probes by running itself with this flag
_PROBE = "from PySide6.QtWidgets import QApplication; QApplication([])"
HEADLESS = {"offscreen", "minimal"}
# Debian/Ubuntu packages of the libraries Qt's xcb plugin needs beyond libxcb itself.
X11_PACKAGES = {
    "libxcb-cursor": "libxcb-cursor0",
    "libxcb-icccm": "libxcb-icccm4",
    "libxcb-keysyms": "libxcb-keysyms1",
    "libxcb-image": "libxcb-image0",
    "libxcb-render-util": "libxcb-render-util0",
    "libxcb-xkb": "libxcb-xkb1",
    "libxkbcommon-x11": "libxkbcommon-x11-0",
    "libxkbcommon": "libxkbcommon0",
}
X11_HINT = (
    "On Debian/Ubuntu the usual fix is: sudo apt install libxcb-cursor0 libxcb-icccm4 "
    "libxcb-keysyms1 libxkbcommon-x11-0"
)


def platform_is_headless() -> bool:
    return os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in HEADLESS


def has_display() -> bool:
    """Whether there is a display to try (offscreen and minimal platforms are none)."""
    if platform_is_headless():
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _probe_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, PROBE_FLAG]
    return [sys.executable, "-c", _PROBE]


def qt_can_start() -> tuple[bool, str]:
    """Whether Qt opens the display, tried in a subprocess; the reason when it cannot."""
    try:
        proc = subprocess.run(_probe_command(), capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return False, "opening the display timed out"
    if proc.returncode == 0:
        return True, ""
    return False, reason_from(proc.stderr, proc.returncode)


def reason_from(stderr: str, returncode: int = 1) -> str:
    """The most telling line of Qt's output: a missing library, else the first line."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for pattern in ("cannot open shared object", "is needed", "could not connect"):
        for line in lines:
            if pattern in line.lower():
                return line.removeprefix("qt.qpa.plugin: ").removeprefix("qt.qpa.xcb: ")
    return lines[0] if lines else f"exit code {returncode}"


def missing_library() -> str | None:
    """The shared library the xcb plugin cannot load, found by loading the plugin itself."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        import PySide6
    except ImportError:
        return None
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        match = re.search(r"([\w.+-]+\.so[.\d]*): cannot open shared object", str(exc))
        return match.group(1) if match else None
    return None


def install_hint(library: str | None, reason: str) -> str:
    """How to install what is missing, as precisely as it can be told."""
    text = f"{library or ''} {reason}".lower()
    for stem, package in X11_PACKAGES.items():
        if stem in text or package in text:
            return f"On Debian/Ubuntu install it with: sudo apt install {package}"
    return X11_HINT


def explain(reason: str, flow: str | None = None) -> str:
    """The message shown instead of Qt's abort."""
    lines = [f"The Studio cannot open the display: {reason}"]
    if sys.platform.startswith("linux") and has_display():
        library = missing_library()
        if library:
            lines.append(f"Missing library: {library} (needed by Qt's xcb platform plugin)")
        lines.append(install_hint(library, reason))
    target = flow or "FLOW.aflow"
    lines.append(f"Flows run headless without a display: aetherflow run {target}")
    return "\n".join(lines)


def check() -> str | None:
    """None when the Studio can open its window, else the message to print instead."""
    if platform_is_headless():
        return None
    if sys.platform.startswith("linux") and not has_display():
        return "no display: neither DISPLAY nor WAYLAND_DISPLAY is set"
    if not sys.platform.startswith("linux"):
        return None  # macOS and Windows ship their platform plugins' dependencies
    ok, reason = qt_can_start()
    return None if ok else reason
