"""`Breakpoints`: the nodes a run stops at, with their optional conditions.

Breakpoints are debugging state of the document for the session, not part of the flow: they
are not written to the ``.aflow`` file (a shared flow must not stop its next user's runs,
and `aetherflow run` has no use for them), they do not make the document dirty and they are
not undo steps (toggling one changes no flow data, as in a code editor). A condition is a
Python expression over the node's input names; the engine evaluates it, and runs happen
only in trusted flows. A node's breakpoint goes when the node is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal


def condition_problem(text: str) -> str | None:
    """Why ``text`` is not a valid condition (a Python expression), or None when it is.

    Only compiled, never evaluated: the engine evaluates conditions in the run."""
    try:
        compile(text, "<breakpoint condition>", "eval")
    except SyntaxError as exc:
        return f"not a Python expression: {exc.msg} (column {exc.offset or 0})"
    return None


class Breakpoints(QObject):
    """Node id -> condition (None: stop every time).

    Signals
    -------
    changed(str)
        The breakpoint of this node was set, changed or removed.
    """

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conditions: dict[str, str | None] = {}

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._conditions

    def __len__(self) -> int:
        return len(self._conditions)

    def condition(self, node_id: str) -> str | None:
        return self._conditions.get(node_id)

    def mapping(self, node_ids: Iterable[str] | None = None) -> dict[str, str | None]:
        """The breakpoints as ``{node id: condition}`` (only of ``node_ids`` when given)."""
        if node_ids is None:
            return dict(self._conditions)
        wanted = set(node_ids)
        return {k: v for k, v in self._conditions.items() if k in wanted}

    def set(self, node_id: str, condition: str | None = None) -> None:
        """Stop at ``node_id`` (when ``condition`` holds; blank or None: always).

        Raises
        ------
        ValueError
            ``condition`` is not a Python expression (names the node).
        """
        condition = (condition or "").strip() or None
        if condition is not None and (problem := condition_problem(condition)):
            raise ValueError(f"breakpoint on '{node_id}': {problem}")
        if node_id in self._conditions and self._conditions[node_id] == condition:
            return
        self._conditions[node_id] = condition
        self.changed.emit(node_id)

    def remove(self, node_id: str) -> None:
        if node_id in self._conditions:
            del self._conditions[node_id]
            self.changed.emit(node_id)

    def toggle(self, node_id: str) -> bool:
        """Set or remove the breakpoint of ``node_id``; True when it is now set."""
        if node_id in self._conditions:
            self.remove(node_id)
            return False
        self.set(node_id)
        return True

    def clear(self) -> None:
        for node_id in list(self._conditions):
            self.remove(node_id)
