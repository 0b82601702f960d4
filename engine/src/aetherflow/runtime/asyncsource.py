"""An async generator as a run's input: driven on its own thread and event loop.

Workers pull the input under the feed's lock from their own threads (a sync worker has
no loop; an async worker's loop is already running), so the async generator gets one
thread and loop of its own and hands items over through a bounded queue: it runs at most
`PREFETCH` items ahead of the workers.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncGenerator, Iterator
from typing import Any

from ..errors import NodeExecutionError

PREFETCH = 64
_END: Any = object()


class AsyncSource(Iterator[Any]):
    """Iterate an async generator from sync code; `close` cancels it (``finally`` runs)."""

    def __init__(self, agen: AsyncGenerator[Any, Any], node_id: str) -> None:
        self._agen, self._node = agen, node_id
        self._queue: queue.Queue[Any] = queue.Queue(PREFETCH)
        self._closing = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._task: asyncio.Task[None] | None = None
        self._ended = False
        self._thread = threading.Thread(
            target=self._main, name=f"aetherflow-source-{node_id}", daemon=True
        )
        self._thread.start()

    def _main(self) -> None:
        try:
            self._task = self._loop.create_task(self._pump())
            self._loop.run_until_complete(self._task)
        except BaseException:  # cancelled by close(); its errors went through the queue
            pass
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    async def _pump(self) -> None:
        try:
            async for item in self._agen:
                if not await self._put(item):
                    return
            await self._put(_END)
        except Exception as exc:
            await self._put(NodeExecutionError(self._node, exc))
        finally:
            await self._agen.aclose()

    async def _put(self, item: Any) -> bool:
        """Queue ``item``, waiting while the queue is full; False once closing."""
        while not self._closing.is_set():
            try:
                self._queue.put_nowait(item)
                return True
            except queue.Full:
                await asyncio.sleep(0.002)
        return False

    def __next__(self) -> Any:
        if self._ended:
            raise StopIteration
        item = self._queue.get()
        if item is _END:
            self._ended = True
            raise StopIteration
        if isinstance(item, NodeExecutionError):
            self._ended = True
            raise item
        return item

    def close(self) -> None:
        """Stop the generator (its ``finally`` runs on its loop) and end the thread."""
        self._closing.set()
        task = self._task
        if task is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # the loop closed meanwhile
                pass
        self._thread.join(5.0)
