"""Write a flow as a standalone Python script that builds and runs it with the public API.

The script imports the node modules by their references, rebuilds the flow with
``Flow(...)``, ``flow.add(...)``, ``flow.connect(...)``, groups, scopes and the source, and
has a ``main()`` that reads JSON Lines (or runs the source node) and prints JSON Lines.
Exporting never imports the flow's code: it only reads references and plain values.
"""

from __future__ import annotations

import builtins
import keyword
import math
import os
import pprint
from typing import Any

from .._version import __version__
from ..context import SCOPES
from ..errors import FlowError
from ..refs import split_ref
from .model import Flow

_LINE = 96
# Names the script itself uses; imported objects never shadow them.
_TAKEN = {"annotations", "argparse", "build_flow", "flow", "Flow", "HERE", "json", "main", "os",
          "sys"}  # fmt: skip
# Keyword parameters of Flow.add / Flow.add_group: constants with these names need set_constant.
_ADD_PARAMS = {"node_or_ref", "id", "label", "position"}
_GROUP_PARAMS = {"kind", "members", "id", "label"}


def export_script(flow: Flow, script_path: str | None = None) -> str:
    """Return the source of a standalone Python script equivalent to ``flow``.

    The folders of the flow's node modules are written relative to the script, never as
    absolute paths of this machine, so the script and the modules can move together.
    ``script_path`` is where the script will be written; without it (a script sent to
    stdout) the current directory is taken as the script's folder.

    Raises
    ------
    FlowError
        For a node or context without an importable ``module:qualname`` reference, or a
        constant that is not a plain JSON value.
    """
    names = _Imports()
    context = names.use(flow.context_ref, "the context") if flow.context_ref else None
    body = _build_lines(flow, names, context)
    paths = _paths_block(flow, script_path, sorted(names.modules))
    parts = [_header(flow), paths, names.render(), body, _MAIN]
    return "\n".join(p for p in parts if p).replace("\n\n\n\n", "\n\n\n") + "\n"


class _Imports:
    """``module:qualname`` references -> local names, one import line per object."""

    def __init__(self) -> None:
        self.by_ref: dict[str, str] = {}
        self.modules: dict[str, dict[str, str]] = {}  # module -> {object: local name}
        self.used = set(_TAKEN)

    def use(self, ref: str, what: str) -> str:
        """The expression naming ``ref`` in the script."""
        if ref in self.by_ref:
            return self.by_ref[ref]
        try:
            module, qualname = split_ref(ref)
        except Exception as exc:
            raise FlowError(f"cannot export {what}: {exc}") from exc
        if module in ("__main__", "<unimportable>") or not module.replace(".", "_").isidentifier():
            raise FlowError(
                f"cannot export {what}: '{ref}' is not importable; define it in a module"
            )
        first, _, rest = qualname.partition(".")
        local = self.modules.setdefault(module, {}).get(first)
        if local is None:
            local = self._local_name(first)
            self.modules[module][first] = local
        expr = f"{local}.{rest}" if rest else local
        self.by_ref[ref] = expr
        return expr

    def _local_name(self, name: str) -> str:
        local, i = name, 2
        while local in self.used or keyword.iskeyword(local) or hasattr(builtins, local):
            local, i = f"{name}_{i}", i + 1
        self.used.add(local)
        return local

    def render(self) -> str:
        lines = []
        for module in sorted(self.modules):
            objs = self.modules[module]
            names = [o if o == loc else f"{o} as {loc}" for o, loc in sorted(objs.items())]
            head = f"from {module} import "
            if len(head) + len(", ".join(names)) + 14 <= _LINE:
                lines.append(f"{head}{', '.join(names)}  # noqa: E402")
            else:
                lines.append(f"{head}(  # noqa: E402")
                lines += [f"    {n}," for n in names] + [")"]
        return "\n".join(lines)


def _header(flow: Flow) -> str:
    doc = [f"{flow.name}: exported from AetherFlow {__version__}."]
    if flow.description:
        doc += ["", flow.description.strip()]
    doc += [
        "",
        "Usage: python this_script.py [--input ITEMS.jsonl | -] [--workers N] [--limit N]",
        "Items are JSON Lines; without --input the flow's source node runs when it has one,",
        "else items are read from stdin. Results are printed as JSON Lines in input order",
        '(a failed item as {"__error__": ...}); exit status 1 when some item failed.',
    ]
    text = "\n".join(doc).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return (
        f'#!/usr/bin/env python3\n"""{text}\n"""\n\n'
        "from __future__ import annotations\n\nimport argparse\nimport json\nimport os\n"
        "import sys\n"
    )


def _paths_block(flow: Flow, script_path: str | None, modules: list[str]) -> str:
    here = os.path.dirname(os.path.abspath(script_path)) if script_path else os.getcwd()
    shown = [f"os.path.join(HERE, {rel!r})" for rel in _relative_folders(flow, here, modules)]
    return (
        "# This script's folder (the current one when its text is run without a file).\n"
        'HERE = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else "."\n'
        "# Folders with the flow's node modules, relative to this script.\n"
        f"SEARCH_PATHS = [{', '.join(shown)}]\n"
        "sys.path[:0] = [p for p in SEARCH_PATHS if p not in sys.path]\n\n"
        "from aetherflow import Flow  # noqa: E402\n"
    )


def _relative_folders(flow: Flow, here: str, modules: list[str]) -> list[str]:
    """The flow's module folders relative to ``here`` (the script's folder).

    Never absolute: a path of the exporting machine means nothing on another one. Folders
    that hold none of the flow's modules are left out (when it can be told), and so are
    folders that cannot be written relative to ``here`` (another drive on Windows).
    """
    paths = [os.path.abspath(p) for p in flow.search_paths]
    if flow.path:
        paths.append(os.path.dirname(os.path.abspath(flow.path)))
    holding = [p for p in paths if _holds_any(p, modules)]
    out: list[str] = []
    for folder in dict.fromkeys(holding or paths):
        try:
            rel = os.path.relpath(folder, here)
        except ValueError:
            continue
        out.append(rel.replace(os.sep, "/"))
    return out


def _holds_any(folder: str, modules: list[str]) -> bool:
    for module in modules:
        top = module.split(".", 1)[0]
        if os.path.isfile(os.path.join(folder, top + ".py")) or os.path.isdir(
            os.path.join(folder, top)
        ):
            return True
    return False


def _build_lines(flow: Flow, names: _Imports, context: str | None) -> str:
    args = [repr(flow.name)]
    if context:
        args.append(f"context={context}")
    if flow.description:
        args.append(f"description={flow.description!r}")
    out = ["", "", "def build_flow() -> Flow:", '    """The flow, built with the public API."""']
    out += _call("    flow = Flow", args)
    out += _node_lines(flow, names)
    out += [f"    flow.connect({e.source!r}, {e.target!r})" for e in flow.edges]
    out += _group_lines(flow)
    for name, spec in flow.services.items():
        if spec.scope in SCOPES and spec.scope != spec.declared:
            out.append(f"    flow.set_scope({name!r}, {spec.scope!r})")
    if flow.source is not None:
        out.append(f"    flow.set_source({flow.source!r})")
    out.append("    flow.search_paths = list(SEARCH_PATHS)")
    out.append("    return flow")
    return "\n".join(out)


def _node_lines(flow: Flow, names: _Imports) -> list[str]:
    out: list[str] = []
    for node_id, spec in flow.nodes.items():
        ref = names.use(spec.ref, f"node '{node_id}'")
        args = [ref, f"id={node_id!r}"]
        if spec.label:
            args.append(f"label={spec.label!r}")
        late = []
        for key, value in spec.constants.items():
            text = _literal(value, f"constant '{key}' of node '{node_id}'")
            if key.isidentifier() and not keyword.iskeyword(key) and key not in _ADD_PARAMS:
                args.append(f"{key}={text}")
            else:
                late.append(f"    flow.set_constant({node_id!r}, {key!r}, {text})")
        out += _call("    flow.add", args) + late
    return out


def _group_lines(flow: Flow) -> list[str]:
    out: list[str] = []
    for gid, g in flow.groups.items():
        args = [repr(g.kind), _literal(list(g.members), f"members of group '{gid}'"), f"id={gid!r}"]
        if g.label:
            args.append(f"label={g.label!r}")
        extra = {}
        for key, value in g.params.items():
            text = _literal(value, f"parameter '{key}' of group '{gid}'")
            if key.isidentifier() and not keyword.iskeyword(key) and key not in _GROUP_PARAMS:
                args.append(f"{key}={text}")
            else:
                extra[key] = value
        out += _call("    flow.add_group", args)
        if extra:
            out.append(f"    flow.groups[{gid!r}].params.update({_literal(extra, gid)})")
    return out


def _call(head: str, args: list[str]) -> list[str]:
    """``head(args)`` on one line when it fits, else one argument per line."""
    one = f"{head}({', '.join(args)})"
    if len(one) <= _LINE and "\n" not in one:
        return [one]
    indent = " " * (len(head) - len(head.lstrip()) + 4)
    lines = [f"{head}("]
    for a in args:
        lines.append(indent + a.replace("\n", "\n" + indent) + ",")
    lines.append(" " * (len(head) - len(head.lstrip())) + ")")
    return lines


def _literal(value: Any, what: str) -> str:
    """A readable Python literal of a JSON value."""
    _check_json(value, what)
    return pprint.pformat(value, width=_LINE - 12, sort_dicts=False)


def _check_json(value: Any, what: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if math.isfinite(value):
            return
    elif isinstance(value, list | tuple):
        for v in value:
            _check_json(v, what)
        return
    elif isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                break
            _check_json(v, what)
        else:
            return
    raise FlowError(f"cannot export {what}: {value!r} is not a plain JSON value")


_MAIN = '''

def read_items(path: str):
    """Items read lazily from JSON Lines (a file, or stdin for '-'); blank lines skipped."""
    if path == "-":
        yield from (json.loads(line) for line in sys.stdin if line.strip())
        return
    with open(path, encoding="utf-8") as stream:
        yield from (json.loads(line) for line in stream if line.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", help="JSON Lines file of items, '-' for stdin")
    parser.add_argument("--workers", type=int, default=4, help="worker threads (default 4)")
    parser.add_argument("--limit", type=int, help="take at most this many items")
    args = parser.parse_args(argv)
    flow = build_flow()
    if args.input is None and flow.source is not None:
        items = None  # the flow's source node produces the items
    else:
        items = read_items(args.input or "-")
    handle = flow.start(items, workers=args.workers, limit=args.limit, stream=True,
                        collect=False)
    for _, result, error in handle.results(on_idle=sys.stdout.flush):
        if error is not None:  # the same line as `aetherflow run` writes for a failed item
            result = {"__error__": {k: v for k, v in error.to_dict().items() if k != "traceback"}}
        print(json.dumps(result, default=repr, ensure_ascii=False))
    report = handle.wait()
    for error in report.errors:
        print(f"item {error.index} at node {error.node}: {error.type}: {error.message}",
              file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())'''
