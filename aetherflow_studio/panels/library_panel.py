"""The node library: nodes of the example modules, the user's modules and installed packages.

Nodes are listed by module, filtered by a search box (name and doc), dragged onto the canvas
as ``application/x-aetherflow-node-ref`` (text ``module:qualname``) or added with a
double-click. The same entries feed the canvas's Tab palette through `catalog_entries`.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aetherflow_studio.canvas import MIME_NODE_REF
from aetherflow_studio.library.node_catalog import NodeCatalog, NodeEntry

_REF_ROLE = Qt.ItemDataRole.UserRole + 1
_SOURCE_ROLE = Qt.ItemDataRole.UserRole + 2


class _NodeTree(QTreeWidget):
    """A tree whose node items drag out as node references."""

    def mimeTypes(self) -> list[str]:
        return [MIME_NODE_REF, "text/plain"]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # type: ignore[override]
        refs = [i.data(0, _REF_ROLE) for i in items if i.data(0, _REF_ROLE)]
        mime = QMimeData()
        if refs:
            mime.setData(MIME_NODE_REF, refs[0].encode("utf-8"))
            mime.setText(refs[0])
        return mime


class LibraryPanel(QWidget):
    """Browse and add nodes.

    Signals
    -------
    add_requested(object)
        The user double-clicked a node (a `NodeEntry`); the window adds it to the flow.
    sources_changed(list)
        The user added or removed a module; the list of user sources to remember.
    """

    add_requested = Signal(object)
    sources_changed = Signal(list)

    def __init__(self, catalog: NodeCatalog | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog or NodeCatalog()
        self.user_sources: list[str] = []
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search nodes…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.add_button = QToolButton(self)
        self.add_button.setText("+")
        self.add_button.setToolTip("Add nodes from a Python file or module")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_button.setMenu(self._build_add_menu())
        self.tree = _NodeTree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QTreeWidget.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.SingleSelection)
        self.tree.setIndentation(14)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)

    # -- discovery --------------------------------------------------------------------
    def load(self, sources: Iterable[str] = (), **options: bool) -> None:
        """Discover from scratch (examples, ``sources``, entry points) and show the result."""
        self.user_sources = list(dict.fromkeys(sources))
        self.catalog.load(self.user_sources, **options)
        self.refresh()

    def add_source(self, source: str) -> str | None:
        """Import a ``.py`` path or module name; return its error text, or None."""
        module = self.catalog.add(source)
        if source not in self.user_sources:
            self.user_sources.append(source)
            self.sources_changed.emit(list(self.user_sources))
        self.refresh()
        return module.error

    def remove_source(self, source: str) -> None:
        self.catalog.remove(source)
        if source in self.user_sources:
            self.user_sources.remove(source)
            self.sources_changed.emit(list(self.user_sources))
        self.refresh()

    def catalog_entries(self) -> list[NodeEntry]:
        """Every node offered (the canvas's Tab palette calls this)."""
        return self.catalog.entries()

    def palette_entries(self) -> list[tuple[str, str, str]]:
        """``(ref, title, doc)`` of every node, the canvas's Tab palette format."""
        return [(e.ref, e.name, e.doc) for e in self.catalog.entries()]

    # -- view -------------------------------------------------------------------------
    def refresh(self) -> None:
        self.tree.clear()
        text = self.search.text()
        for module in self.catalog.modules:
            entries = [e for e in module.entries if e.matches(text)]
            if text and not entries and text.lower() in module.label.lower():
                entries = list(module.entries)  # the module's name matches: all its nodes
            if text and not entries:
                continue
            parent = QTreeWidgetItem(self.tree, [module.label])
            parent.setData(0, _SOURCE_ROLE, module.source)
            parent.setFlags(parent.flags() & ~Qt.ItemFlag.ItemIsDragEnabled)
            parent.setToolTip(0, module.error or module.source)
            if module.error:
                parent.setText(0, f"{module.label}  (failed to import)")
            for entry in sorted(entries, key=lambda e: e.name.lower()):
                item = QTreeWidgetItem(parent, [entry.name])
                item.setData(0, _REF_ROLE, entry.ref)
                item.setToolTip(0, _tooltip(entry))
            parent.setExpanded(True)

    def entry_items(self) -> dict[str, QTreeWidgetItem]:
        """``ref -> item`` of the nodes shown now."""
        found = {}
        for i in range(self.tree.topLevelItemCount()):
            parent = self.tree.topLevelItem(i)
            for j in range(parent.childCount()):
                child = parent.child(j)
                found[child.data(0, _REF_ROLE)] = child
        return found

    def request_add(self, ref: str) -> bool:
        """Ask the window to add the node ``ref`` (what a double-click does)."""
        entry = self.catalog.find(ref)
        if entry is not None:
            self.add_requested.emit(entry)
        return entry is not None

    # -- handlers ---------------------------------------------------------------------
    def _on_search_text_changed(self, _text: str) -> None:
        self.refresh()

    def _on_tree_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        ref = item.data(0, _REF_ROLE)
        if ref:
            self.request_add(ref)

    def _build_add_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Add Python file…", self._on_add_file)
        menu.addAction("Add module by name…", self._on_add_module)
        menu.addSeparator()
        menu.addAction("Reload all", lambda: self.load(self.user_sources))
        return menu

    def _on_add_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add nodes from a Python file", "", "*.py")
        if path:
            self._report(self.add_source(path))

    def _on_add_module(self) -> None:
        name, ok = QInputDialog.getText(self, "Add module", "Importable module name:")
        if ok and name.strip():
            self._report(self.add_source(name.strip()))

    def _report(self, error: str | None) -> None:
        if error:
            QMessageBox.warning(self, "Cannot import nodes", error)

    def _on_tree_context_menu(self, pos) -> None:  # type: ignore[no-untyped-def]
        item = self.tree.itemAt(pos)
        source = item.data(0, _SOURCE_ROLE) if item is not None else None
        if source not in self.user_sources:
            return
        menu = QMenu(self)
        menu.addAction("Remove from library", lambda: self.remove_source(source))
        menu.exec(self.tree.viewport().mapToGlobal(pos))


def _tooltip(entry: NodeEntry) -> str:
    lines = [f"<b>{entry.name}</b> <span style='opacity:.7'>{entry.ref}</span>"]
    if entry.doc:
        lines.append(entry.doc.replace("\n", "<br>"))
    lines.append(f"in: {', '.join(entry.inputs) or '—'}<br>out: {', '.join(entry.outputs) or '—'}")
    return "<br>".join(lines)
