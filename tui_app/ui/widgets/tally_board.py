"""The tally board: every tally of the pack, today and to date, grouped by action.

Rows are keyed by tally id and cells by column, so a refresh updates figures in
place (the Memray pattern) and the table never jumps or flickers.
"""

from __future__ import annotations

from textual.widgets import DataTable

from tui_app.domain.pack import Pack, Tally
from tui_app.domain.tally import shown_value
from tui_app.i18n import pick, t

COLUMNS = ("group", "tally", "today", "campaign", "unit")


def group_name(pack: Pack, tally: Tally) -> str:
    """The action a tally belongs to (its own or its id's prefix), else its record kind."""
    action = pack.action(tally.action or tally.id.split(".")[0])
    return pick(action.name) if action else t(f"kind.{tally.record}")


class TallyBoard(DataTable):
    """A read-only table of the campaign's figures."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="none", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._pack_id: str | None = None

    def on_mount(self) -> None:
        for key in COLUMNS:
            self.add_column(t(f"ui.col.{key}"), key=key)

    def show(self, pack: Pack, today: dict[str, int | float],
             campaign: dict[str, int | float]) -> None:
        if self._pack_id != pack.id:
            self.clear()
            self._pack_id = pack.id
            previous = None
            for tally in pack.tallies:
                group = group_name(pack, tally)
                self.add_row(group if group != previous else "", pick(tally.label),
                             shown_value(tally, today.get(tally.id, 0)),
                             shown_value(tally, campaign.get(tally.id, 0)), tally.unit,
                             key=tally.id)
                previous = group
            return
        for tally in pack.tallies:
            for column, values in (("today", today), ("campaign", campaign)):
                value = shown_value(tally, values.get(tally.id, 0))
                if self.get_cell(tally.id, column) != value:
                    self.update_cell(tally.id, column, value)
