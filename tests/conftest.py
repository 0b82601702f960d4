"""Studio tests run the real widgets offscreen; set the platform before any Qt import."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
