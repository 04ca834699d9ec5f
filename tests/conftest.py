import gc
import os
from collections.abc import Iterator

import pytest

# Qt must never look for a screen: tests run on machines without one.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _gui_thread_collection(request: pytest.FixtureRequest) -> Iterator[None]:
    """A Qt test runs as the counter does (desktop/app.py): Python's cyclic garbage is freed on
    the GUI thread only (ui/collector.py), and what the test left is freed there at its end.
    Left automatic, a later test's worker thread could free this test's widgets: a segfault."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    from tongban.ui.collector import GuiCollector

    request.getfixturevalue("qapp")
    collector = GuiCollector()
    yield
    collector.stop()
    # What is still alive now is the suite's (modules, caches, the QApplication): out of the
    # collector's view from here on, so the next test's full collection walks only its own.
    gc.freeze()
