"""The read-only lists of the counter (search results, timelines, inbox, sync, the supervisor's
tables): one look and one keyboard behaviour everywhere.

Rows are selected whole, one at a time, and never edited in place; Tab leaves the table (it
does not walk its cells), so a clerk moves between a tab's fields and lists as between fields.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def list_table(name: str, accessible: str, *, word_wrap: bool = True) -> QTableView:
    """A read-only list: `name` is its object name, `accessible` its name read aloud (already
    translated)."""
    table = QTableView()
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setWordWrap(word_wrap)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table
