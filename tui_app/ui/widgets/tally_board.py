"""The tally board: every tally of the pack, today and to date, grouped by action.

Rows are keyed by tally id and cells by column, so a refresh updates figures in
place (the Memray pattern) and the table never jumps or flickers.
"""

from __future__ import annotations

import itertools

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


Block = list[tuple[str, Tally | None]]  # an action's heading row, then its tallies' rows


class TallyBoard(DataTable):
    """A read-only table of the campaign's figures: a heading row per action.

    When the board is wide enough (a 200-column terminal), the actions are set side by
    side in as many sets of the four columns as fit, each set a run of whole actions of
    about equal height; at 80 or 120 columns it is one set, keyed by tally and column.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="none", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._pack: Pack | None = None
        self._shown: dict[tuple[str, str], str] = {}
        self._sets = 1
        self._cells: dict[tuple[str, str], tuple[str, str]] = {}  # (tally, column) → its cell

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
        if self._pack is None or self._pack.id != pack.id:
            self._pack = pack
            self._build(shown)
            return
        for (tally_id, column), value in shown.items():
            if self._shown.get((tally_id, column)) != value:
                self.update_cell(*self._cells[(tally_id, column)], Text(value, justify="right"))
        self._shown = shown

    def figure(self, tally_id: str, column: str) -> str:
        """The figure shown for one tally in "today" or "campaign", wherever it stands."""
        return str(self.get_cell(*self._cells[(tally_id, column)])).strip()

    def on_resize(self) -> None:
        """A terminal made wider or narrower sets the actions side by side, or back."""
        if self._pack is not None and self._fitting_sets() != self._sets:
            self._build(self._shown)

    def _blocks(self) -> list[Block]:
        assert self._pack is not None
        blocks: list[Block] = []
        previous = None
        for tally in self._pack.tallies:
            group = group_name(self._pack, tally)
            if group != previous:
                blocks.append([(group, None)])
                previous = group
            blocks[-1].append(("  " + pick(tally.label), tally))
        return blocks

    def _label_width(self) -> int:
        # The label column gets its width from the labels themselves, set here: left to
        # the table's own measuring (done later, when idle) it sometimes kept the width of
        # its header on a busy start.
        labels = [text for block in self._blocks() for text, _ in block]
        return max(cell_len(text) for text in [t(f"ui.col.{COLUMNS[0]}"), *labels])

    def _set_width(self) -> int:
        """The cells one set of the four columns takes: each column as wide as its widest
        text, with a cell of padding on either side (which also parts two sets)."""
        assert self._pack is not None
        pack = self._pack
        widths = [self._label_width()]
        for column in ("today", "campaign"):
            widths.append(max(cell_len(t(f"ui.col.{column}")),
                              *(cell_len(shown) for (_, col), shown in self._shown.items() if col == column)))
        widths.append(max(cell_len(t("ui.col.unit")),
                          *(cell_len(shown_in_lang(tl.unit, pack.value_labels)) for tl in pack.tallies)))
        return sum(widths) + 2 * len(widths)

    def _fitting_sets(self) -> int:
        width = self.size.width
        sets = 1
        while (sets + 1) * self._set_width() <= width:
            sets += 1
        return min(sets, len(self._blocks()))

    def _build(self, shown: dict[tuple[str, str], str]) -> None:
        self._shown = shown
        self._sets = self._fitting_sets()
        columns = split_even(self._blocks(), self._sets)
        self.clear(columns=True)
        self._cells = {}
        label_width = self._label_width()
        for n in range(len(columns)):
            for key in COLUMNS:
                self.add_column(t(f"ui.col.{key}"), key=column_key(key, n),
                                width=label_width if key == COLUMNS[0] else None)
        height = max(len(column) for column in columns)
        for row in range(height):
            cells: list[Text | str] = []
            for n, column in enumerate(columns):
                cells += self._cells_of(column[row] if row < len(column) else None, row, n)
            self.add_row(*cells, key=self._row_key(columns[0][row] if row < len(columns[0]) else None, row))

    def _row_key(self, line: tuple[str, Tally | None] | None, row: int) -> str:
        """A one-set board keys its rows by tally (as the tests and refreshes read it)."""
        if self._sets == 1 and line is not None:
            text, tally = line
            return tally.id if tally is not None else f"group:{text}"
        return f"row:{row}"

    def _cells_of(self, line: tuple[str, Tally | None] | None, row: int, n: int) -> list[Text | str]:
        if line is None:
            return ["", "", "", ""]
        text, tally = line
        if tally is None:
            return [Text(text, style="bold"), "", "", ""]
        assert self._pack is not None
        row_key = tally.id if self._sets == 1 else f"row:{row}"
        for column in ("today", "campaign"):
            self._cells[(tally.id, column)] = (row_key, column_key(column, n))
        return [Text(text),
                *(Text(self._shown[(tally.id, column)], justify="right") for column in ("today", "campaign")),
                shown_in_lang(tally.unit, self._pack.value_labels)]


def column_key(key: str, n: int) -> str:
    """The first set keeps the plain keys ("today"); the sets beside it are numbered."""
    return key if n == 0 else f"{key}@{n}"


def split_even(blocks: list[Block], sets: int) -> list[Block]:
    """Whole blocks, in order, in `sets` runs (each run one column of rows) whose tallest
    is as short as it can be: a pack has a handful of actions, so every way of cutting
    them is tried."""
    def runs(cuts: tuple[int, ...]) -> list[Block]:
        edges = [0, *cuts, len(blocks)]
        return [[line for block in blocks[a:b] for line in block] for a, b in itertools.pairwise(edges)]

    ways = itertools.combinations(range(1, len(blocks)), sets - 1)
    return min((runs(cuts) for cuts in ways), key=lambda found: max(len(run) for run in found))
