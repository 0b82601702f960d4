"""The version of the engine and the Studio.

The number itself lives in the ``VERSION`` file next to this module, the one place both
``pyproject.toml`` files read it from (setuptools ``dynamic`` version, ``file`` directive).
"""

from pathlib import Path

__version__ = (Path(__file__).with_name("VERSION")).read_text(encoding="utf-8").strip()
