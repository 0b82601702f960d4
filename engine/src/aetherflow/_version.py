"""The one place the version number lives (engine and Studio share it)."""

__version__ = "0.2.0"
