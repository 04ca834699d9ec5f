"""Python's cyclic garbage collector, run on the GUI thread only.

Qt objects must be destroyed on the thread that owns them, but Python destroys what a cyclic
collection frees on whichever thread started the collection. Left automatic, a collection starts
on any thread that allocates past the threshold: often a worker building the item index or
syncing. A widget or controller caught in a reference cycle (a signal connected to a lambda that
holds it, say) was then destroyed on that worker, and the process crashed (a segfault) at some
later, unrelated moment.

While a GuiCollector runs, automatic collection is off, and a timer on the GUI thread collects by
the interpreter's own thresholds (`gc.get_threshold`): the same collections, on the right thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500


class GuiCollector(QObject):
    """Takes over cyclic garbage collection for the GUI thread until `stop()`."""

    def __init__(
        self, parent: QObject | None = None, *, interval_ms: int = CHECK_INTERVAL_MS
    ) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold (with the younger
        ones, in one pass), as the interpreter would; the number of objects found unreachable."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = [g for g in range(3) if counts[g] > thresholds[g]]
        return gc.collect(due[-1]) if due else 0

    def stop(self) -> None:
        """Collect what is left, here, and give collection back to the interpreter."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
