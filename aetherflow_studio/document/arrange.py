"""Align, distribute and snap node positions: pure functions on plain boxes.

A box is ``(x, y, width, height)`` in scene coordinates (a node's top-left position and
its drawn size). Each function returns the new top-left positions of the nodes that move;
the document applies them as one undo step named after the action.
"""

from __future__ import annotations

Box = tuple[float, float, float, float]
Positions = dict[str, tuple[float, float]]
GRID = 20.0  # the canvas grid's minor step

ALIGNMENTS = {
    "left": "Align Left",
    "right": "Align Right",
    "top": "Align Top",
    "bottom": "Align Bottom",
    "hcenter": "Align Centers Horizontally",
    "vcenter": "Align Centers Vertically",
}
DISTRIBUTIONS = {"horizontal": "Distribute Horizontally", "vertical": "Distribute Vertically"}


def snap(value: float, grid: float = GRID) -> float:
    return round(value / grid) * grid


def snapped(positions: Positions, grid: float = GRID) -> Positions:
    """Each position on the nearest grid point."""
    return {k: (snap(x, grid), snap(y, grid)) for k, (x, y) in positions.items()}


def aligned(boxes: dict[str, Box], how: str) -> Positions:
    """Line the boxes up on the selection's left, right, top or bottom edge, or on the
    centre line (``hcenter``: one column of centres, ``vcenter``: one row)."""
    if how not in ALIGNMENTS:
        raise ValueError(f"unknown alignment {how!r}: use one of {sorted(ALIGNMENTS)}")
    xs = [b[0] for b in boxes.values()]
    ys = [b[1] for b in boxes.values()]
    rights = [b[0] + b[2] for b in boxes.values()]
    bottoms = [b[1] + b[3] for b in boxes.values()]
    out: Positions = {}
    for k, (x, y, w, h) in boxes.items():
        if how == "left":
            out[k] = (min(xs), y)
        elif how == "right":
            out[k] = (max(rights) - w, y)
        elif how == "top":
            out[k] = (x, min(ys))
        elif how == "bottom":
            out[k] = (x, max(bottoms) - h)
        elif how == "hcenter":
            out[k] = ((min(xs) + max(rights)) / 2 - w / 2, y)
        else:
            out[k] = (x, (min(ys) + max(bottoms)) / 2 - h / 2)
    return out


def distributed(boxes: dict[str, Box], axis: str) -> Positions:
    """Equal gaps between neighbouring boxes along ``axis`` ("horizontal" or
    "vertical"); the first and last boxes stay where they are."""
    if axis not in DISTRIBUTIONS:
        raise ValueError(f"unknown axis {axis!r}: use 'horizontal' or 'vertical'")
    i = 0 if axis == "horizontal" else 1
    order = sorted(boxes, key=lambda k: boxes[k][i])
    if len(order) < 3:
        return {k: (boxes[k][0], boxes[k][1]) for k in order}
    first, last = boxes[order[0]], boxes[order[-1]]
    span = last[i] + last[i + 2] - first[i]
    gap = (span - sum(boxes[k][i + 2] for k in order)) / (len(order) - 1)
    out: Positions = {}
    at = first[i]
    for k in order:
        x, y, w, h = boxes[k]
        out[k] = (at, y) if i == 0 else (x, at)
        at += (w if i == 0 else h) + gap
    return out
