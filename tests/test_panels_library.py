"""The node library: discovery, search, drag data and double-click."""

from __future__ import annotations

from aetherflow.graph.validate import Problem
from test_app_support import write_node_module

from aetherflow_studio.canvas import MIME_NODE_REF as NODE_REF_MIME
from aetherflow_studio.library.node_catalog import (
    EXAMPLES_DIR,
    NodeCatalog,
    example_sources,
    nodes_in,
)
from aetherflow_studio.panels.library_panel import LibraryPanel
from aetherflow_studio.panels.problems_panel import ProblemsPanel


def test_examples_are_discovered_by_default(qtbot) -> None:
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.load(entry_points=False)
    assert example_sources(), "resources/examples/*_nodes.py are bundled"
    refs = {e.ref for e in panel.catalog_entries()}
    assert "etl_pipeline_nodes:extract" in refs
    assert "etl_pipeline_nodes:extract" in panel.entry_items()


def test_user_module_by_path_search_and_tooltip(qtbot, tmp_path) -> None:
    name, path = write_node_module(tmp_path)
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.load(examples=False, entry_points=False)
    with qtbot.waitSignal(panel.sources_changed) as changed:
        assert panel.add_source(str(path)) is None
    assert changed.args == [[str(path)]]
    assert set(panel.entry_items()) == {f"{name}:numbers", f"{name}:scale", f"{name}:describe"}
    panel.search.setText("multiply")  # matches the doc of `scale`
    assert list(panel.entry_items()) == [f"{name}:scale"]
    assert "Multiply every number" in panel.entry_items()[f"{name}:scale"].toolTip(0)
    panel.search.setText(name[-8:])  # part of the module's name: all its nodes
    assert len(panel.entry_items()) == 3
    panel.search.setText("")
    assert len(panel.entry_items()) == 3


def test_drag_data_and_double_click(qtbot, tmp_path) -> None:
    name, path = write_node_module(tmp_path)
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.load([str(path)], examples=False, entry_points=False)
    item = panel.entry_items()[f"{name}:numbers"]
    mime = panel.tree.mimeData([item])
    assert bytes(mime.data(NODE_REF_MIME)).decode() == f"{name}:numbers"
    with qtbot.waitSignal(panel.add_requested) as added:
        panel.tree.itemDoubleClicked.emit(item, 0)
    assert added.args[0].ref == f"{name}:numbers"


def test_broken_module_is_reported_not_raised(qtbot, tmp_path) -> None:
    bad = tmp_path / "broken_nodes_mod.py"
    bad.write_text("raise RuntimeError('boom')\n")
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.load(examples=False, entry_points=False)
    error = panel.add_source(str(bad))
    assert error is not None and "boom" in error
    assert panel.add_source("no_such_module_xyz") is not None
    assert panel.catalog_entries() == []


def test_entry_points_and_module_names(monkeypatch) -> None:
    import importlib.metadata as md

    class FakeEP:
        name, value = "demo", "etl_pipeline_nodes"

        def load(self):
            import etl_pipeline_nodes

            return etl_pipeline_nodes

    catalog = NodeCatalog()
    # a module added by name must be importable; by path, it is imported per folder instead
    monkeypatch.syspath_prepend(str(EXAMPLES_DIR))
    monkeypatch.setattr(md, "entry_points", lambda group: [FakeEP()] if group else [])
    catalog.load(["etl_pipeline_nodes"], examples=False, entry_points=True)
    labels = [m.source for m in catalog.modules]
    assert labels == ["etl_pipeline_nodes", "entry point demo"]
    assert catalog.find("etl_pipeline_nodes:load") is not None
    assert nodes_in(42) == []


def test_problems_panel_selects_nodes(qtbot) -> None:
    panel = ProblemsPanel()
    qtbot.addWidget(panel)
    panel.set_problems(
        [
            Problem("error", "b", "missing input 'x'", "missing-input"),
            Problem("warning", "a.out->c.inp", "type mismatch", "type-mismatch"),
            Problem("info", None, "flow input 'x'"),
        ]
    )
    assert panel.tree.topLevelItemCount() == 3
    with qtbot.waitSignal(panel.node_selection_requested) as sel:
        panel.tree.itemClicked.emit(panel.tree.topLevelItem(1), 0)
    assert sel.args == ["c"]
