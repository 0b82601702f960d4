"""PySide6 6.12.0 on CPython 3.11 aborts the interpreter after ~570 Signal.emit() calls.

The pin in pyproject.toml keeps that version away; this test proves the installed Qt
survives many emits, in a subprocess so an abort fails the test instead of the run.
"""

import subprocess
import sys
import textwrap


def test_ten_thousand_signal_emits_do_not_abort() -> None:
    code = textwrap.dedent(
        """
        from PySide6.QtCore import QCoreApplication, QObject, Signal

        class Emitter(QObject):
            fired = Signal(int)
            flag = Signal(bool)

        app = QCoreApplication([])
        e = Emitter()
        seen = []
        e.fired.connect(seen.append)
        e.flag.connect(lambda b: seen.append(b))
        for i in range(10_000):
            e.fired.emit(i)
            e.flag.emit(i % 2 == 0)
        assert len(seen) == 20_000, len(seen)
        print("ok")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_installed_pyside6_is_not_the_aborting_release_on_311() -> None:
    import PySide6

    if sys.version_info[:2] == (3, 11):
        assert PySide6.__version__ != "6.12.0"
