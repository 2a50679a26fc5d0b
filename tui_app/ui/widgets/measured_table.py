"""A DataTable that repaints its rows once their columns have been measured.

Textual 8.2.8's DataTable measures new cells when it is next idle, but a row painted
before that is cached under a key the measurement does not change: under load the
list then kept its headings' widths (`0000  2026  药品问`) until the next page.
"""

from __future__ import annotations

from textual import events
from textual.widgets import DataTable


class MeasuredTable(DataTable):
    """DataTable whose row cache is dropped whenever a column's measured width grows."""

    async def _on_idle(self, event: events.Idle) -> None:
        before = [column.content_width for column in self.ordered_columns]
        await super()._on_idle(event)
        if [column.content_width for column in self.ordered_columns] != before:
            self._clear_caches()  # Textual pinned exactly: its caches are known here
            self.refresh()
