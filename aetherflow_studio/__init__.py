"""AetherFlow Studio: the desktop designer for AetherFlow flows (PySide6 + pyqtgraph)."""

from aetherflow import __version__

__all__ = ["__version__"]
