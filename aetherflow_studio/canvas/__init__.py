"""The node-editor canvas: scene, view and items over a `FlowDocument`."""

from .scene import FlowScene
from .style import set_palette
from .view import MIME_NODE_REF, FlowView

__all__ = ["MIME_NODE_REF", "FlowScene", "FlowView", "set_palette"]
