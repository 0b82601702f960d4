"""Nodes for the separate-process executor's tests: importable in the child process
(this folder is on sys.path, which the child inherits)."""

from __future__ import annotations

import os
import time

from aetherflow import node


@node
def exit_at(y, at=-1, delay=0.0):
    """Ends the whole process (like a crash in C code) on the item whose y == at."""
    time.sleep(delay)
    if y == at:
        os._exit(7)
    return {"z": y + 1}


@node
def hang_at(y, at=-1):
    """Never returns on the item whose y == at (a node no cooperative stop can reach)."""
    while y == at:
        time.sleep(0.05)
    return {"z": y + 1}


@node
def pid_of(y):
    return {"pid": os.getpid()}
