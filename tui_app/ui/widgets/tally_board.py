"""The tally board: every tally of the pack, today and to date, grouped by action.

Rows are keyed by tally id and cells by column, so a refresh updates figures in
place (the Memray pattern) and the table never jumps or flickers.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from tui_app.domain.pack import Pack, Tally
from tui_app.domain.tally import shown_value
from tui_app.i18n import pick, t
from tui_app.i18n import shown as shown_in_lang

COLUMNS = ("tally", "today", "campaign", "unit")


def group_name(pack: Pack, tally: Tally) -> str:
    """The action a tally belongs to (its own or its id's prefix), else its record kind."""
    action = pack.action(tally.action or tally.id.split(".")[0])
    return pick(action.name) if action else t(f"ui.group.{tally.record}")


class TallyBoard(DataTable):
    """A read-only table of the campaign's figures: a heading row per action."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="none", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._pack_id: str | None = None
        self._shown: dict[tuple[str, str], str] = {}

    def on_mount(self) -> None:
        for key in COLUMNS:
            self.add_column(t(f"ui.col.{key}"), key=key)

    def show(self, pack: Pack, today: dict[str, int | float],
             campaign: dict[str, int | float]) -> None:
        """First call builds the rows with their figures; later calls change only the
        figures that moved (one cell update each, no rebuild)."""
        shown = {(tally.id, column): shown_value(tally, values.get(tally.id, 0))
                 for tally in pack.tallies
                 for column, values in (("today", today), ("campaign", campaign))}
        if self._pack_id != pack.id:
            self._build(pack, shown)
            return
        for (tally_id, column), value in shown.items():
            if self._shown.get((tally_id, column)) != value:
                self.update_cell(tally_id, column, Text(value, justify="right"))
        self._shown = shown

    def _build(self, pack: Pack, shown: dict[tuple[str, str], str]) -> None:
        # The label column gets its width from the labels themselves, set here: left to
        # the table's own measuring (done later, when idle) it sometimes kept the width of
        # its header on a busy start.
        self.clear(columns=True)
        labels = [t(f"ui.col.{COLUMNS[0]}"), *("  " + pick(tl.label) for tl in pack.tallies),
                  *(group_name(pack, tl) for tl in pack.tallies)]
        self.add_column(t(f"ui.col.{COLUMNS[0]}"), key=COLUMNS[0],
                        width=max(cell_len(text) for text in labels))
        for key in COLUMNS[1:]:
            self.add_column(t(f"ui.col.{key}"), key=key)
        self._shown = shown
        self._pack_id = pack.id
        previous = None
        for tally in pack.tallies:
            group = group_name(pack, tally)
            if group != previous:
                self.add_row(Text(group, style="bold"), "", "", "", key=f"group:{group}")
                previous = group
            self.add_row(Text("  " + pick(tally.label)),
                         *(Text(shown[(tally.id, column)], justify="right") for column in ("today", "campaign")),
                         shown_in_lang(tally.unit, pack.value_labels), key=tally.id)
