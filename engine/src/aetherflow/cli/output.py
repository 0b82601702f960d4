"""Result lines of ``aetherflow run``, written whole: a full disk never leaves half a line.

Lines are gathered and written with ``os.write`` on the output's file descriptor. When a
write fails part-way (no space left, a file size limit), a regular file is cut back to
its last complete line, and `OutputError` says how many lines are in the file.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
from typing import IO

FLUSH_BYTES = 1 << 16  # gather about this much before writing


class OutputError(Exception):
    """Writing the output failed; ``lines`` complete lines were written before."""

    def __init__(self, name: str, lines: int, exc: OSError) -> None:
        self.name, self.lines, self.exc = name, lines, exc
        reason = exc.strerror or str(exc)
        super().__init__(f"cannot write output {name}: {reason} ({lines} result lines written)")


class LineWriter:
    """Whole lines to a file descriptor (``-`` is stdout).

    Parameters
    ----------
    name
        The output's name, for messages.
    fd
        An open file descriptor; closed by `close` unless it is stdout's.
    """

    def __init__(self, name: str, fd: int, owns_fd: bool = True) -> None:
        self.name = name
        self.fd = fd
        self.owns_fd = owns_fd
        self.lines = 0  # complete lines written
        self._pending: list[bytes] = []
        self._size = 0
        self._regular = stat.S_ISREG(os.fstat(fd).st_mode)
        self._offset = os.lseek(fd, 0, os.SEEK_CUR) if self._regular else 0

    def write_line(self, text: str) -> None:
        data = (text + "\n").encode("utf-8", "backslashreplace")
        self._pending.append(data)
        self._size += len(data)
        if self._size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write what was gathered. Raises `OutputError` (after cutting a torn line off a
        regular file) or `BrokenPipeError` (the reader went away)."""
        if not self._pending:
            return
        pending, self._pending, self._size = self._pending, [], 0
        data = memoryview(b"".join(pending))
        done = 0
        try:
            while done < len(data):
                done += os.write(self.fd, data[done:])
        except BrokenPipeError:
            raise
        except OSError as exc:
            self._keep_whole_lines(pending, done)
            raise OutputError(self.name, self.lines, exc) from None
        self.lines += len(pending)
        self._offset += len(data)

    def _keep_whole_lines(self, pending: list[bytes], done: int) -> None:
        """After a write that stopped at byte ``done`` of ``pending``: count the complete
        lines and cut a regular file back to the end of the last one."""
        for line in pending:
            if done < len(line):
                break
            done -= len(line)
            self.lines += 1
            self._offset += len(line)
        if self._regular:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, self._offset)

    def close(self) -> None:
        if self.owns_fd:
            os.close(self.fd)


def open_writer(name: str) -> LineWriter:
    """A `LineWriter` for ``name`` (``-``: stdout). Raises OSError when it cannot open."""
    if name == "-":
        sys.stdout.flush()
        try:
            return LineWriter("stdout", sys.stdout.fileno(), owns_fd=False)
        except (io.UnsupportedOperation, AttributeError, ValueError):
            return _TextWriter(sys.stdout)  # a stream without a descriptor (tests, IDEs)
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    return LineWriter(name, fd)


class _TextWriter(LineWriter):
    """Lines to a text stream that has no file descriptor."""

    def __init__(self, stream: IO[str]) -> None:
        self.name, self.stream, self.lines, self.owns_fd = "stdout", stream, 0, False

    def write_line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.lines += 1

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        pass
