"""The flow document: editing a `Flow` through undo commands."""

from .document import CLEAR, FlowDocument
from .typecheck import types_compatible

__all__ = ["CLEAR", "FlowDocument", "types_compatible"]
