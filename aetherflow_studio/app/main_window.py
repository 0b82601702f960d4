"""The Studio's main window: canvas in the centre, panels in docks, menus, toolbar, status.

Extension points for later panels (run controls, live plots, thread state):

- `MainWindow.add_dock` puts a widget in a dock, remembers it in ``docks`` and lists it in
  View > Panels; its state is saved with the window's.
- ``actions`` maps names ("file.open", "edit.undo", "view.frame_all", ...) to QActions;
  `add_action` registers one and places it in a menu (``menus``) and/or the toolbar.
- ``document_changed(object)`` fires after New/Open/recovery installs a `FlowDocument`;
  ``document``, ``scene`` and ``view`` are always the current ones.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aetherflow import __version__
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QKeySequence,
    QShowEvent,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWidget,
)

from aetherflow_studio.canvas.theme import apply_theme
from aetherflow_studio.panels.inspector_panel import InspectorPanel
from aetherflow_studio.panels.library_panel import LibraryPanel
from aetherflow_studio.panels.live_panel import LivePanel
from aetherflow_studio.panels.problems_panel import ProblemsPanel
from aetherflow_studio.panels.services_panel import ServicesPanel

from . import (
    arrange_actions,
    breakpoint_actions,
    design_actions,
    dialogs,
    dock_layout,
    live_reload,
    trust_banner,
    window_actions,
)
from . import canvas_adapter as canvas
from .files import FileController
from .recovery import AUTOSAVE_MS, RecoveryStore
from .run_install import RunUI, install_run_ui
from .settings import StudioSettings
from .trust import TrustStore
from .validation import ValidationController
from .window_state import WindowState

APP_NAME = "AetherFlow Studio"
# Their shortcuts act only while the canvas has the focus: Delete or Ctrl+A in a panel's
# text field must not delete or select nodes.
CANVAS_ACTIONS = (
    "edit.cut",
    "edit.copy",
    "edit.paste",
    "edit.duplicate",
    "edit.delete",
    "edit.select_all",
)
Area = Qt.DockWidgetArea


class MainWindow(QMainWindow):
    """One flow document in one window.

    Parameters
    ----------
    settings
        The settings to use (tests pass one on a temporary ini file).
    recovery_dir
        The recovery folder (default: AppDataLocation/recovery).
    autosave_ms
        How often unsaved work is written to the recovery folder.
    examples
        Load the bundled example node modules into the library.
    """

    document_changed = Signal(object)

    def __init__(
        self,
        settings: StudioSettings | None = None,
        recovery_dir: str | Path | None = None,
        autosave_ms: int = AUTOSAVE_MS,
        examples: bool = True,
        entry_points: bool = True,
    ) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.settings = settings or StudioSettings()
        self.trust = TrustStore(self.settings)
        self.actions: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        self.docks: dict[str, QDockWidget] = {}
        self.document: Any = None
        self.scene: Any = None
        self.view: Any = None
        self._shown = False
        self._needs_default_layout = True
        # Questions are attributes so tests (and embedders) can answer them without a modal.
        self.ask_save: Callable[[str], str] = lambda name: dialogs.ask_save(self, name)
        self.ask_trust = lambda path, refs: dialogs.ask_trust(self, path, refs)
        self.ask_recover = lambda entry: dialogs.ask_recover(self, entry)
        self.undo_group = QUndoGroup(self)
        self.validation = ValidationController(self)
        self.files = FileController(self, RecoveryStore(recovery_dir), autosave_ms)
        self.setDockNestingEnabled(True)
        self.setDocumentMode(True)
        self._build_panels(examples, entry_points)
        window_actions.build_actions(self)
        window_actions.build_menus(self)
        window_actions.build_toolbar(self)
        design_actions.install(self)
        live_reload.install(self)
        breakpoint_actions.install(self)
        self._build_status_bar()
        self.set_theme(self.settings.theme)
        self.files.new_flow(ask=False)
        self.trust_banner = trust_banner.install(self)
        self.minimap = arrange_actions.install(self)
        self.run_ui: RunUI | None = None
        self._install_extensions()
        self._restore_window_state()

    # -- extension points -------------------------------------------------------------
    def add_dock(
        self,
        widget: QWidget,
        title: str,
        area: Qt.DockWidgetArea = Area.RightDockWidgetArea,
        name: str | None = None,
        tabify_with: str | None = None,
    ) -> QDockWidget:
        """Put ``widget`` in a dock titled ``title``; listed in View > Panels."""
        name = name or title.lower().replace(" ", "_")
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")  # saveState needs stable object names
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        if tabify_with in self.docks:
            self.tabifyDockWidget(self.docks[tabify_with], dock)
        if isinstance(widget, LivePanel):  # behind another tab it draws nothing
            dock.visibilityChanged.connect(widget.set_tab_shown)
        self.docks[name] = dock
        panels = self.menus.get("view.panels")
        if panels is not None:
            panels.addAction(dock.toggleViewAction())
        return dock

    def add_action(
        self,
        name: str,
        text: str,
        slot: Callable[[], Any] | None = None,
        shortcut: QKeySequence | str | None = None,
        menu: str | None = None,
        toolbar: bool = False,
    ) -> QAction:
        """Create and register an action; ``menu`` is a key of ``menus`` ("file", "view")."""
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        self.register_action(name, action, menu, toolbar)
        return action

    def register_action(
        self, name: str, action: QAction, menu: str | None = None, toolbar: bool = False
    ) -> None:
        self.actions[name] = action
        if name in CANVAS_ACTIONS:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        else:
            self.addAction(action)  # shortcuts work even when the menu bar is hidden
        if menu is not None and menu in self.menus:
            self.menus[menu].addAction(action)
        if toolbar and getattr(self, "toolbar", None) is not None:
            self.toolbar.addAction(action)

    def _install_extensions(self) -> None:
        """Run controls, live panels and overlays."""
        self.run_ui = install_run_ui(self)

    # -- building ---------------------------------------------------------------------
    def _build_panels(self, examples: bool, entry_points: bool) -> None:
        self.library = LibraryPanel()
        self.library.load(
            self.settings.library_modules(), examples=examples, entry_points=entry_points
        )
        self.library.add_requested.connect(self._on_library_add_requested)
        self.library.sources_changed.connect(self.settings.set_library_modules)
        self.inspector = InspectorPanel()
        self.services = ServicesPanel()
        self.problems = ProblemsPanel()
        self.problems.node_selection_requested.connect(self.select_node)
        self.validation.problems_found.connect(self._on_validation_problems_found)
        self.add_dock(self.library, "Node Library", Area.LeftDockWidgetArea, "library")
        self.add_dock(self.inspector, "Inspector", Area.RightDockWidgetArea, "inspector")
        self.add_dock(self.services, "Services", Area.RightDockWidgetArea, "services")
        self.add_dock(self.problems, "Problems", Area.BottomDockWidgetArea, "problems")

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.problems_label = QLabel("")
        self.file_label = QLabel("")
        self.dirty_label = QLabel("")
        for label in (self.problems_label, self.file_label, self.dirty_label):
            status.addPermanentWidget(label)

    # -- documents --------------------------------------------------------------------
    def set_document(self, document: Any) -> None:
        """Show ``document``: a new scene on the canvas, panels and undo rebound."""
        old, old_scene = self.document, self.scene
        self.document = document
        self.undo_group.addStack(document.undo_stack)
        self.undo_group.setActiveStack(document.undo_stack)
        self.scene, self.view = canvas.install(self, document, self.library.palette_entries)
        self.view.addActions([self.actions[name] for name in CANVAS_ACTIONS])
        self.scene.selected_nodes_changed.connect(self._on_scene_selected_nodes_changed)
        self.scene.status_message.connect(self._on_scene_status_message)
        self.scene.node_activated.connect(self._on_scene_node_activated)
        document.dirty_changed.connect(self._on_document_dirty_changed)
        document.path_changed.connect(self._on_document_path_changed)
        document.model_changed.connect(self._on_document_model_changed)
        self.inspector.set_document(document)
        self.services.set_document(document)
        self.validation.bind(document, self.scene)
        if old is not None:
            self.undo_group.removeStack(old.undo_stack)
            old.close()
            old.deleteLater()
        if old_scene is not None:
            old_scene.deleteLater()
        self._update_title()
        self.document_changed.emit(document)

    def document_name(self) -> str:
        if self.document is None:
            return "untitled"
        path = self.document.path
        return Path(path).name if path else self.document.flow.name or "untitled"

    def _update_title(self) -> None:
        dirty = bool(self.document is not None and self.document.is_dirty)
        self.setWindowTitle(f"{self.document_name()}{'*' if dirty else ''} — {APP_NAME}")
        path = self.document.path if self.document is not None else None
        self.file_label.setText(path or "not saved yet")
        self.dirty_label.setText("● modified" if dirty else "saved" if path else "")
        trusted = self.document is not None and self.document.trusted
        trust_path = self.files.trust_path() if self.document is not None else None
        self.actions["file.trust"].setEnabled(bool(trust_path) and not trusted)

    # -- edit commands ----------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        return canvas.selected_node_ids(self.scene)

    def select_node(self, node_id: str) -> None:
        """Select and show a node; ids that are not nodes (groups, services) are ignored."""
        if node_id in self.document.flow.nodes:
            canvas.select_nodes(self.scene, [node_id])
            canvas.ensure_visible(self.view, self.scene, node_id)

    def view_center(self) -> QPointF:
        return canvas.view_center(self.view)

    def copy(self) -> None:
        self.view.copy_selection()

    def cut(self) -> None:
        if self.view.copy_selection() is not None:
            self.view.delete_selection()

    def paste(self) -> None:
        self.view.paste()

    def duplicate(self) -> None:
        self.view.duplicate_selection()

    def delete_selection(self) -> None:
        self.view.delete_selection()

    def select_all(self) -> None:
        self.view.select_all()

    def frame_all(self) -> None:
        canvas.frame_all(self.view)

    def auto_layout(self) -> None:
        canvas.auto_layout(self.scene, self.document)
        self.frame_all()

    def add_node(self, node_or_ref: Any, position: QPointF | None = None) -> str:
        """Add a node at ``position`` (default: the view's centre, stepped down and right
        past nodes already there, so nodes added one after another do not stack) and
        select it."""
        pos = position if position is not None else self._free_spot(self.view_center())
        node_id = self.document.add_node(node_or_ref, (pos.x(), pos.y()))
        canvas.select_nodes(self.scene, [node_id])
        return node_id

    def _free_spot(self, pos: QPointF, step: float = 32.0, tries: int = 50) -> QPointF:
        """``pos``, or the first spot ``step`` further down and right with no node's
        corner within half a step of it."""
        corners = [item.pos() for item in self.scene.node_items.values()]
        for _ in range(tries):
            taken = any(
                abs(c.x() - pos.x()) < step / 2 and abs(c.y() - pos.y()) < step / 2 for c in corners
            )
            if not taken:
                break
            pos = QPointF(pos.x() + step, pos.y() + step)
        return pos

    # -- view -------------------------------------------------------------------------
    def set_theme(self, theme: str) -> None:
        apply_theme(theme)
        self.settings.theme = theme
        self.actions[f"view.theme.{theme}"].setChecked(True)
        if self.scene is not None:
            self.scene.update()

    def about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>Design flows of plain Python functions, "
            "choose per service whether threads share it, and run them on worker threads.",
        )

    def _restore_window_state(self) -> None:
        """Geometry now; docks once shown (`WindowState`), else the default layout."""
        self.window_state = WindowState(self)
        self._needs_default_layout = not self.window_state.restore_geometry()

    def _default_layout(self) -> None:
        """First start (no saved state): the layout of `dock_layout.apply_default_layout`."""
        dock_layout.apply_default_layout(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            QTimer.singleShot(0, self._on_first_shown)  # once the docks are laid out

    def _on_first_shown(self) -> None:
        if self._needs_default_layout or not self.window_state.restore_docks():
            self._default_layout()
        self.frame_all()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.files.shutdown()
        self.window_state.save()
        self.settings.sync()
        event.accept()

    # -- handlers ---------------------------------------------------------------------
    def _on_library_add_requested(self, entry: Any) -> None:
        self.add_node(entry.node)

    def _on_scene_selected_nodes_changed(self, ids: list) -> None:
        self.inspector.show_node(ids[0] if len(ids) == 1 else None)

    def _on_scene_node_activated(self, _node_id: str) -> None:
        self.docks["inspector"].show()
        self.docks["inspector"].raise_()

    def _on_scene_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)

    def _on_document_dirty_changed(self, dirty: bool) -> None:
        self.files.autosaver.on_dirty_changed(dirty)
        self._update_title()

    def _on_document_path_changed(self, _path: str) -> None:
        self._update_title()

    def _on_document_model_changed(self, _event: object) -> None:
        pass  # panels and validation listen themselves; kept for subclasses

    def _on_validation_problems_found(self, problems: list) -> None:
        self.problems.set_problems(problems)
        n = len(problems)
        self.problems_label.setText(f"{n} problem{'s' if n != 1 else ''}" if n else "no problems")
