"""A node that logs every call (process id and item) to a file: the Dask worker-loss
tests count from it how often each item really ran."""

from __future__ import annotations

import os
import time

from aetherflow import node


@node
def logged(x, log_path, delay=0.01):
    with open(log_path, "a", encoding="utf-8") as f:  # O_APPEND: whole lines
        f.write(f"{os.getpid()} {x}\n")
    time.sleep(delay)
    return {"y": x}
