"""Node discovery for the library: module-level `Node` objects in modules the user chose.

Sources, in order: the bundled example node modules (``resources/examples/*_nodes.py``),
modules the user added (a ``.py`` path or an importable module name) and installed
packages' entry points in the group ``aetherflow.nodes``. Each of these imports code: that
is what the user asked for by adding the module or installing the package. Flow files never
reach this module; their nodes are imported only once the file is trusted.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from aetherflow import Node
from aetherflow.context import is_container
from aetherflow.refs import import_from_folder, ref_of

from .resources import examples_dir

ENTRY_POINT_GROUP = "aetherflow.nodes"
EXAMPLES_DIR = examples_dir()


@dataclass(frozen=True)
class NodeEntry:
    """One node the library offers."""

    ref: str
    name: str
    module: str
    doc: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    node: Node = field(compare=False, repr=False)

    @property
    def summary(self) -> str:
        """The first line of the doc string."""
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""

    def matches(self, text: str) -> bool:
        text = text.strip().lower()
        return not text or text in self.name.lower() or text in self.doc.lower()


@dataclass(frozen=True)
class ClassEntry:
    """A class a library module defines: a service factory, or a context when
    ``is_context`` (a `BaseFlowContext` subclass)."""

    ref: str
    name: str
    doc: str
    is_context: bool
    cls: Any = field(compare=False, repr=False)


def classes_in(module: ModuleType) -> list[ClassEntry]:
    """The public classes ``module`` defines itself (not the ones it imports)."""
    found = []
    for name, obj in vars(module).items():
        if name.startswith("_") or not isinstance(obj, type) or obj.__module__ != module.__name__:
            continue
        ref = ref_of(obj)
        if ref is not None:
            doc = (obj.__doc__ or "").strip()
            found.append(ClassEntry(ref, name, doc, is_container(obj), obj))
    return found


@dataclass
class CatalogModule:
    """A source of nodes and what came out of it."""

    label: str
    source: str  # a module name, a .py path or "entry point <name>"
    entries: list[NodeEntry] = field(default_factory=list)
    error: str | None = None
    folder: str | None = None  # searched when resolving refs of this module's nodes
    classes: list[ClassEntry] = field(default_factory=list)


def nodes_in(obj: Any) -> list[Node]:
    """The `Node` objects a module (its globals), a node or an iterable of nodes offers."""
    if isinstance(obj, Node):
        return [obj]
    if isinstance(obj, ModuleType):
        found = [v for k, v in vars(obj).items() if isinstance(v, Node) and not k.startswith("_")]
        # Nodes imported from elsewhere belong to their own module, not this one.
        return [n for n in found if n.__module__ == obj.__name__] or found
    if isinstance(obj, Iterable) and not isinstance(obj, str | bytes):
        return [n for n in obj if isinstance(n, Node)]
    return []


def _entry(n: Node, module: str) -> NodeEntry | None:
    if n.ref is None:
        return None
    return NodeEntry(n.ref, n.name, module, n.doc, tuple(n.inputs), tuple(n.outputs), n)


def import_path(path: str | Path) -> ModuleType:
    """Import a ``.py`` file as its folder's own module named after it.

    The saved references are ``stem:qualname``; each folder's modules are imported
    apart (`aetherflow.refs.import_from_folder`), so two folders that each have a
    ``nodes.py`` keep their own code, and modules of one folder import each other by name.
    """
    file = Path(path).expanduser().resolve()
    if file.suffix != ".py" or not file.is_file():
        raise ImportError(f"not a Python file: {file}")
    module: ModuleType = import_from_folder(file.stem, str(file.parent))
    return module


def load_module(source: str) -> CatalogModule:
    """Discover the nodes of a ``.py`` path or an importable module name; never raises."""
    is_path = source.endswith(".py") or "/" in source or "\\" in source
    label = Path(source).stem if is_path else source
    result = CatalogModule(label, source)
    try:
        module = import_path(source) if is_path else importlib.import_module(source)
    except Exception as exc:  # the user's module may fail in any way while importing
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    result.label = module.__name__
    if is_path:
        result.folder = str(Path(source).expanduser().resolve().parent)
    result.entries = [e for n in nodes_in(module) if (e := _entry(n, module.__name__))]
    result.classes = classes_in(module)
    return result


def load_entry_points(group: str = ENTRY_POINT_GROUP) -> list[CatalogModule]:
    """Nodes that installed packages declare under ``[project.entry-points."aetherflow.nodes"]``."""
    found = []
    for ep in importlib.metadata.entry_points(group=group):
        result = CatalogModule(ep.value.split(":", 1)[0], f"entry point {ep.name}")
        try:
            obj = ep.load()
        except Exception as exc:
            result.error = f"{type(exc).__name__}: {exc}"
        else:
            module = getattr(obj, "__name__", result.label)
            result.entries = [e for n in nodes_in(obj) if (e := _entry(n, n.__module__ or module))]
        found.append(result)
    return found


def example_sources(folder: Path = EXAMPLES_DIR) -> list[str]:
    """The bundled example node modules."""
    return [str(p) for p in sorted(folder.glob("*_nodes.py"))] if folder.is_dir() else []


class NodeCatalog:
    """Every node the library offers, grouped by module."""

    def __init__(self) -> None:
        self.modules: list[CatalogModule] = []

    def load(
        self,
        sources: Iterable[str] = (),
        *,
        examples: bool = True,
        entry_points: bool = True,
    ) -> None:
        """Discover from scratch: examples, then ``sources``, then entry points."""
        self.modules = []
        for source in [*(example_sources() if examples else []), *sources]:
            self.add(source)
        if entry_points:
            self.modules.extend(load_entry_points())

    def add(self, source: str) -> CatalogModule:
        """Discover one more module (replacing an earlier load of the same source)."""
        module = load_module(source)
        self.modules = [m for m in self.modules if m.source != source]
        self.modules.append(module)
        return module

    def remove(self, source: str) -> None:
        self.modules = [m for m in self.modules if m.source != source]

    def entries(self) -> list[NodeEntry]:
        seen: dict[str, NodeEntry] = {}
        for m in self.modules:
            for e in m.entries:
                seen.setdefault(e.ref, e)
        return list(seen.values())

    def find(self, ref: str) -> NodeEntry | None:
        return next((e for e in self.entries() if e.ref == ref), None)

    def classes(self, contexts: bool = False) -> list[ClassEntry]:
        """Classes of the modules the user added: service factories, or (``contexts``)
        the `BaseFlowContext` subclasses."""
        seen: dict[str, ClassEntry] = {}
        for m in self.modules:
            for c in m.classes:
                if c.is_context == contexts:
                    seen.setdefault(c.ref, c)
        return list(seen.values())

    def search_paths(self) -> list[str]:
        """Folders of modules added by path, for resolving their nodes' references."""
        return list(dict.fromkeys(m.folder for m in self.modules if m.folder))
