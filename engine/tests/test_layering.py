"""The engine never loads Qt: checked in a fresh interpreter."""

import subprocess
import sys


def test_import_aetherflow_loads_no_qt_and_no_studio():
    code = (
        "import sys, aetherflow, aetherflow.cli, aetherflow.runtime.program\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph', 'aetherflow_studio', 'PyQt5', 'PyQt6')]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_engine_import_graph_has_no_cycle():
    # Every import that runs counts, inside functions too; imports under TYPE_CHECKING
    # never run and are left out (the layers contract in pyproject.toml counts them).
    import grimp
    import networkx as nx

    graph = grimp.build_graph("aetherflow", exclude_type_checking_imports=True)
    edges = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    cycles = [sorted(c) for c in nx.strongly_connected_components(edges) if len(c) > 1]
    assert cycles == []
    assert len(edges) > 40  # the graph really holds the engine's modules


def test_every_convenience_method_is_bound_once_aetherflow_is_imported():
    code = (
        "import aetherflow.bindings as b\n"
        "missing = [n for n in b.NAMES if n not in b._bound]\n"
        "print(missing)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
