"""The Studio's two themes, in one place: a QPalette, a small stylesheet, the canvas palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from aetherflow_studio.canvas import style as canvas_style

_COLORS = {
    "dark": {
        "window": "#1f2227",
        "base": "#17191d",
        "alt": "#23262c",
        "text": "#d7dae0",
        "muted": "#8b919c",
        "button": "#2a2e35",
        "border": "#33373f",
        "highlight": "#3d7eff",
        "highlight_text": "#ffffff",
        "link": "#6fa3ff",
        "tooltip": "#2b2f36",
        "header": "#1a1c20",
        "changed": "#48e3b341",  # #AARRGGBB: a value that just changed (fades out)
    },
    "light": {
        "window": "#eef0f3",
        "base": "#ffffff",
        "alt": "#f5f6f8",
        "text": "#1d2026",
        "muted": "#646b76",
        "button": "#e4e7eb",
        "border": "#c9ced6",
        "highlight": "#2f6fe4",
        "highlight_text": "#ffffff",
        "link": "#1f5fd1",
        "tooltip": "#ffffff",
        "header": "#e2e5ea",
        "changed": "#60f0b429",
    },
}

_STYLESHEET = """
QMainWindow::separator {{ background: {border}; width: 1px; height: 1px; }}
QDockWidget {{ color: {muted}; font-weight: 600; }}
QDockWidget::title {{
    background: {header}; padding: 5px 8px; border-bottom: 1px solid {border};
    text-align: left;
}}
QToolBar {{ background: {header}; border: none; border-bottom: 1px solid {border};
    spacing: 2px; padding: 2px 4px; }}
QToolBar QToolButton {{ padding: 4px 8px; border-radius: 4px; color: {text}; }}
QToolBar QToolButton:hover {{ background: {button}; }}
QToolBar QToolButton:pressed, QToolBar QToolButton:checked {{ background: {border}; }}
QToolBar QToolButton:disabled {{ color: {muted}; }}
QStatusBar {{ background: {header}; color: {muted}; border-top: 1px solid {border}; }}
QStatusBar QLabel {{ color: {muted}; padding: 0 6px; }}
QMenuBar {{ background: {header}; color: {text}; border-bottom: 1px solid {border}; }}
QMenuBar::item:selected {{ background: {button}; }}
QMenu {{ background: {alt}; color: {text}; border: 1px solid {border}; padding: 4px 0; }}
QMenu::item {{ padding: 4px 24px 4px 20px; }}
QMenu::item:selected {{ background: {highlight}; color: {highlight_text}; }}
QMenu::item:disabled {{ color: {muted}; }}
QMenu::separator {{ height: 1px; background: {border}; margin: 4px 8px; }}
QTreeView, QListView, QTableView {{ background: {base}; alternate-background-color: {alt};
    border: none; selection-background-color: {highlight}; }}
QTreeView::item, QListView::item {{ padding: 3px 2px; }}
QHeaderView::section {{ background: {header}; color: {muted}; border: none;
    border-bottom: 1px solid {border}; padding: 4px 6px; }}
QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox, QPlainTextEdit {{
    background: {base}; color: {text}; border: 1px solid {border}; border-radius: 4px;
    padding: 3px 6px; selection-background-color: {highlight};
}}
QLineEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus, QPlainTextEdit:focus {{
    border-color: {highlight};
}}
QLineEdit[invalid="true"] {{ border-color: #e5484d; }}
QPushButton {{ background: {button}; color: {text}; border: 1px solid {border};
    border-radius: 4px; padding: 4px 12px; }}
QPushButton:hover {{ border-color: {highlight}; }}
QPushButton:checked {{ background: {highlight}; color: {highlight_text};
    border-color: {highlight}; }}
QPushButton:disabled {{ color: {muted}; }}
QToolTip {{ background: {tooltip}; color: {text}; border: 1px solid {border}; padding: 4px; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 0; }}
QScrollBar::handle:vertical {{ background: {border}; border-radius: 4px; min-height: 24px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 0; }}
QScrollBar::handle:horizontal {{ background: {border}; border-radius: 4px; min-width: 24px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QLabel[role="heading"] {{ color: {text}; font-weight: 600; font-size: 11pt; }}
QLabel[role="muted"] {{ color: {muted}; }}
QLabel[role="mono"] {{ color: {muted}; font-family: monospace; }}
QFrame[role="card"] {{ background: {alt}; border: 1px solid {border}; border-radius: 6px; }}
QTabBar::tab {{ background: {header}; color: {muted}; padding: 5px 12px;
    border: 1px solid {border}; border-bottom: none; }}
QTabBar::tab:selected {{ background: {alt}; color: {text}; }}
"""


def colors(theme: str) -> dict[str, str]:
    """The named colours of ``theme`` (for panels that paint something themselves)."""
    return dict(_COLORS.get(theme, _COLORS["dark"]))


def current() -> str:
    """The theme the application shows now (``"dark"`` before `apply_theme`)."""
    app = QApplication.instance()
    theme = app.property("aetherflow_theme") if app is not None else None
    return theme if theme in _COLORS else "dark"


def palette(theme: str) -> QPalette:
    c = colors(theme)
    pal = QPalette()
    role = QPalette.ColorRole
    for r, key in (
        (role.Window, "window"),
        (role.WindowText, "text"),
        (role.Base, "base"),
        (role.AlternateBase, "alt"),
        (role.Text, "text"),
        (role.Button, "button"),
        (role.ButtonText, "text"),
        (role.Highlight, "highlight"),
        (role.HighlightedText, "highlight_text"),
        (role.ToolTipBase, "tooltip"),
        (role.ToolTipText, "text"),
        (role.Link, "link"),
        (role.PlaceholderText, "muted"),
        (role.BrightText, "highlight_text"),
    ):
        pal.setColor(r, QColor(c[key]))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.Text, role.WindowText, role.ButtonText):
        pal.setColor(disabled, r, QColor(c["muted"]))
    return pal


def apply_theme(theme: str, app: QApplication | None = None) -> None:
    """Switch the whole application (widgets and canvas) to ``theme``."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    if app is None:
        return
    if app.property("aetherflow_theme") == theme:
        return  # restyling every widget again is slow and changes nothing
    app.setProperty("aetherflow_theme", theme)
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    app.setStyleSheet(_STYLESHEET.format(**colors(theme)))
    canvas_style.set_palette(theme)
