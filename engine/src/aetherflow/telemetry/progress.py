"""A text progress line (``aetherflow run`` on stderr), redrawn from polled snapshots."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import IO

from .snapshot import TelemetrySnapshot


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def progress_text(snap: TelemetrySnapshot) -> str:
    """``1200/5000 items  830/s  3 errors  ETA 0:04``."""
    done = f"{snap.items}/{snap.total}" if snap.total is not None else f"{snap.items}"
    parts = [f"{done} items", f"{snap.items_per_s:,.0f}/s", f"{snap.failed} errors"]
    if snap.eta is not None and snap.state != "finished":
        parts.append(f"ETA {_clock(snap.eta)}")
    parts.append(_clock(snap.elapsed))
    if snap.state in ("paused", "stopping"):
        parts.append(snap.state)
    return "  ".join(parts)


class Progress:
    """Redraws one line with ``\\r`` a few times a second until stopped."""

    def __init__(
        self, snapshot: Callable[[], TelemetrySnapshot], stream: IO[str], period: float = 0.2
    ) -> None:
        self._snapshot = snapshot
        self._stream = stream
        self._period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="aetherflow-progress", daemon=True)
        self._width = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._draw()
        self._stream.write("\n")
        self._stream.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self._period):
            self._draw()

    def _draw(self) -> None:
        text = progress_text(self._snapshot())
        pad = " " * max(0, self._width - len(text))
        self._width = len(text)
        self._stream.write("\r" + text + pad)
        self._stream.flush()
