"""The banner above the canvas while a flow's code is not imported, with a "Trust…" button.

After "Don't import" the graph is drawn from the file but its nodes are placeholders that
cannot run; a status-bar line fades, so the banner stays until the file is trusted (the
button asks again, as File > Trust and Import Code… does) or another flow is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

if TYPE_CHECKING:
    from .main_window import MainWindow

TEXT = ("<b>Code not imported.</b> The graph is drawn from the file; its nodes are "
        "placeholders that cannot run until you trust this file or its folder.")  # fmt: skip
STYLE = ("QFrame#trust_banner { background: #4e342e; border-bottom: 1px solid #8d6e63; }"
         "QFrame#trust_banner QLabel { color: #ffe0b2; }")  # fmt: skip


class TrustBanner(QFrame):
    """Shown above the canvas while the window's flow needs code it has not imported."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.setObjectName("trust_banner")
        self.setStyleSheet(STYLE)
        self._window = window
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        self.label = QLabel(TEXT)
        self.label.setWordWrap(True)
        self.button = QPushButton("Trust…")
        self.button.setObjectName("trust_banner_button")
        self.button.setToolTip("Ask again whether to import this flow's code")
        self.button.clicked.connect(self._on_button_clicked)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.setVisible(False)

    def needed(self) -> bool:
        """Whether the open flow names code it has not imported (and could, if trusted)."""
        doc = self._window.document
        if doc is None or doc.trusted or not self._window.files.trust_path():
            return False
        flow = doc.flow
        return flow.context_ref is not None or any(s.node is None for s in flow.nodes.values())

    def refresh(self) -> None:
        self.setVisible(self.needed())

    def _on_button_clicked(self) -> None:
        self._window.actions["file.trust"].trigger()


def install(window: MainWindow) -> TrustBanner:
    """Put the banner above the canvas; it follows the window's File > Trust action, whose
    enabled state the window keeps in step with the open document's trust."""
    banner = TrustBanner(window)
    host = getattr(window, "canvas_host", None) or window.centralWidget()
    host.layout().insertWidget(0, banner)
    window.actions["file.trust"].changed.connect(banner.refresh)
    window.document_changed.connect(lambda _doc: banner.refresh())
    banner.refresh()
    return banner
