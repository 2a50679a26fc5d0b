"""The tally board: every tally of the pack, today and to date, grouped by action.

One widget paints the whole board line by line (Textual's line API): its lines are
computed from the figures and cropped to the scroll position, so a refresh repaints
the figures in place (the rows never move) and the start styles one node, not a
table's cells, rows and a dozen component nodes. Cell widths are counted in terminal
cells (Rich's `cell_len`: a CJK character is two), so Chinese labels line up.
"""

from __future__ import annotations

import itertools

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_app.domain.pack import Pack, Tally
from tui_app.domain.tally import shown_value
from tui_app.i18n import pick, t
from tui_app.i18n import shown as shown_in_lang

COLUMNS = ("tally", "today", "campaign", "unit")
FIGURES = ("today", "campaign")
PADDING = 1  # cells either side of every cell's text (which also parts two sets)


def group_name(pack: Pack, tally: Tally) -> str:
    """The action a tally belongs to (its own or its id's prefix), else its record kind."""
    action = pack.action(tally.action or tally.id.split(".")[0])
    return pick(action.name) if action else t(f"ui.group.{tally.record}")


Line = tuple[str, Tally | None]  # an action's heading (no tally) or one tally's label
Block = list[Line]  # an action's heading line, then its tallies' lines
Cells = tuple[str, str, str, str]  # one line's texts in COLUMNS order, as shown


class TallyBoard(ScrollView, can_focus=True):
    """A read-only board of the campaign's figures: a heading line per action.

    When the board is wide enough (a 200-column terminal), the actions are set side by
    side in as many sets of the four columns as fit, each set a run of whole actions of
    about equal height; at 80 or 120 columns it is one set. The heading row stays on top
    while the lines scroll under it (arrow and page keys once focused, or the mouse).
    """

    COMPONENT_CLASSES = {"tally-board--header", "tally-board--heading", "tally-board--even-row"}
    DEFAULT_CSS = """
    TallyBoard {
        background: $surface;
        color: $foreground;
        &:focus { background-tint: $foreground 5%; }
        & > .tally-board--header { text-style: bold; background: $panel; color: $foreground; }
        & > .tally-board--heading { text-style: bold; }
        & > .tally-board--even-row { background: $surface-lighten-1 50%; }
        &:dark > .tally-board--even-row { background: $surface-darken-1 40%; }
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._pack: Pack | None = None
        self._shown: dict[tuple[str, str], str] = {}  # (tally, "today"/"campaign") → figure
        self._sets = 1
        self._blocks: list[Block] = []  # the pack's lines, action by action
        self._widths: list[int] = []  # of the four columns, in terminal cells
        self._grid: list[list[Line | None]] = []  # per board row, a line (or none) per set
        self._strips: list[Strip] | None = None  # the board's rows painted, header first

    # ------------------------------------------------------------ figures in, figures out

    def show(self, pack: Pack, today: dict[str, int | float],
             campaign: dict[str, int | float]) -> None:
        """New figures: the lines stay where they are (unless a wider figure leaves room
        for fewer sets side by side) and only the board is repainted."""
        self._shown = {(tally.id, column): shown_value(tally, values.get(tally.id, 0))
                       for tally in pack.tallies
                       for column, values in zip(FIGURES, (today, campaign), strict=True)}
        new_pack = pack is not self._pack  # another campaign, or its pack changed
        if new_pack:
            self._pack = pack
            self._blocks = blocks_of(pack)
        self._widths = self._measure()
        if new_pack or self._fitting_sets() != self._sets:
            self._lay_out()
        self._repaint()

    def figure(self, tally_id: str, column: str) -> str:
        """The figure shown for one tally in "today" or "campaign", wherever it stands
        (KeyError before the first figures, or for a tally the board does not have)."""
        for row in self._grid:
            for line in row:
                if line is not None and line[1] is not None and line[1].id == tally_id:
                    return self._cells(line)[COLUMNS.index(column)].strip()
        raise KeyError(tally_id)

    def rows(self) -> list[tuple[str, ...]]:
        """Every board row's texts as painted, header excluded: the four columns of each
        set in turn, stripped of their padding and indent."""
        return [tuple(text.strip() for line in row for text in self._cells(line)) for row in self._grid]

    @property
    def sets(self) -> int:
        """How many sets of the four columns stand side by side."""
        return self._sets

    def _cells(self, line: Line | None) -> Cells:
        """What one set's four cells of a row say (the same texts `figure` reads)."""
        if line is None:
            return ("", "", "", "")
        text, tally = line
        if tally is None:
            return (text, "", "", "")
        assert self._pack is not None
        return (text, *(self._shown[(tally.id, column)] for column in FIGURES),  # type: ignore[return-value]
                shown_in_lang(tally.unit, self._pack.value_labels))

    # ------------------------------------------------------------ layout

    def on_resize(self) -> None:
        """A terminal made wider or narrower sets the actions side by side, or back."""
        if self._pack is not None and self._fitting_sets() != self._sets:
            self._lay_out()
            self._repaint()

    def _lay_out(self) -> None:
        """The rows of the board for its width: whole actions in `sets` runs."""
        self._sets = self._fitting_sets()
        runs = split_even(self._blocks, self._sets)
        height = max(len(run) for run in runs)
        self._grid = [[run[row] if row < len(run) else None for run in runs] for row in range(height)]

    def _measure(self) -> list[int]:
        """Each column as wide as its widest text (heading included), in terminal cells."""
        assert self._pack is not None
        texts = [[t(f"ui.col.{key}")] for key in COLUMNS]
        texts[0] += [text for block in self._blocks for text, _ in block]
        for n, column in enumerate(FIGURES, 1):
            texts[n] += [shown for (_, col), shown in self._shown.items() if col == column]
        texts[3] += [shown_in_lang(tally.unit, self._pack.value_labels) for tally in self._pack.tallies]
        return [max(map(cell_len, column)) for column in texts]

    def _set_width(self) -> int:
        """The cells one set of the four columns takes, padding included."""
        return sum(self._widths) + 2 * PADDING * len(COLUMNS)

    def _fitting_sets(self) -> int:
        width = self.size.width
        sets = 1
        while (sets + 1) * self._set_width() <= width:
            sets += 1
        return max(1, min(sets, len(self._blocks)))  # a pack may list no tallies

    # ------------------------------------------------------------ painting

    def _repaint(self) -> None:
        """Drop the painted rows (they are painted again when next shown) and size the
        scrolled area: every row under the heading row, every set across."""
        self._strips = None
        self.virtual_size = Size(self._sets * self._set_width(), len(self._grid) + 1)
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = None  # a theme or focus change: paint with the new colours

    def render_line(self, y: int) -> Strip:
        """Line `y` of the widget: the heading row on top, then the rows scrolled to."""
        scroll_x, scroll_y = self.scroll_offset
        strips = self._painted()
        index = 0 if y == 0 else y + scroll_y
        if index >= len(strips):
            return Strip.blank(self.size.width, self.rich_style)
        return strips[index].crop_extend(scroll_x, scroll_x + self.size.width, self.rich_style)

    def _painted(self) -> list[Strip]:
        if self._strips is None:
            self._strips = self._paint() if self._pack is not None else []
        return self._strips

    def _paint(self) -> list[Strip]:
        """The heading row then every board row, each the width of all its sets."""
        widths = self._widths
        base = self.rich_style
        header = self.get_component_rich_style("tally-board--header")
        even = self.get_component_rich_style("tally-board--even-row")
        heading = self.get_component_rich_style("tally-board--heading", partial=True)
        titles: Cells = tuple(t(f"ui.col.{key}") for key in COLUMNS)  # type: ignore[assignment]
        strips = [Strip(cell_segments([(titles, header)] * self._sets, widths, header))]
        for n, row in enumerate(self._grid):
            style = even if n % 2 else base
            cells = [(self._cells(line), style + heading if line and line[1] is None else style)
                     for line in row]
            strips.append(Strip(cell_segments(cells, widths, style)))
        return strips


def blocks_of(pack: Pack) -> list[Block]:
    """The pack's tallies in order, a heading line before each action's run of them."""
    blocks: list[Block] = []
    previous = None
    for tally in pack.tallies:
        group = group_name(pack, tally)
        if group != previous:
            blocks.append([(group, None)])
            previous = group
        blocks[-1].append(("  " + pick(tally.label), tally))
    return blocks


def cell_segments(cells: list[tuple[Cells, Style]], widths: list[int], style: Style) -> list[Segment]:
    """One row of the board: each set's four cells padded to their column's width in
    terminal cells, figures to the right; a set's label in the style given with it (a
    heading's is bold), the other cells in the row's `style`."""
    pad = " " * PADDING
    segments = []
    for texts, label_style in cells:
        for n, (text, width) in enumerate(zip(texts, widths, strict=True)):
            room = width - cell_len(text)
            fitted = " " * room + text if COLUMNS[n] in FIGURES else set_cell_size(text, width)
            segments.append(Segment(pad + fitted + pad, label_style if n == 0 else style))
    return segments


def split_even(blocks: list[Block], sets: int) -> list[Block]:
    """Whole blocks, in order, in `sets` runs (each run one column of rows) whose tallest
    is as short as it can be: a pack has a handful of actions, so every way of cutting
    them is tried."""
    def runs(cuts: tuple[int, ...]) -> list[Block]:
        edges = [0, *cuts, len(blocks)]
        return [[line for block in blocks[a:b] for line in block] for a, b in itertools.pairwise(edges)]

    ways = itertools.combinations(range(1, len(blocks)), sets - 1)
    return min((runs(cuts) for cuts in ways), key=lambda found: max(len(run) for run in found))
