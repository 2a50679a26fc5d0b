"""The keys footer: one widget painting the screen's keys on one line.

Textual's footer is a container of one widget per key, recomposed each time a screen
announces its bindings (three times while a screen starts): on the dashboard that
was eleven widgets, each styled three times with its two component nodes, about a
hundred style passes for one line of text. This footer styles once and repaints its
line only when the keys it shows change. A press on a key presses it, as in Textual's.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

Shown = tuple[tuple[str, str, str, bool], ...]  # (key, shown as, description, enabled)


class KeysFooter(Widget):
    """The visible keys of its screen, in binding order (the palette's `ctrl+p` is an
    ordinary key at the end, not docked on the right where it covered the last keys
    at 80 columns)."""

    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description"}
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .keys-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .keys-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: Shown = ()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        """The screen's keys were announced: repaint if the visible ones changed."""
        if not (self.is_attached and screen is self.screen and screen.app.app_focus):
            return
        shown: dict[str, tuple[str, str, str, bool]] = {}  # one key per action, as Textual's
        for _node, binding, enabled, _tip in screen.active_bindings.values():
            if binding.show and binding.action not in shown:
                shown[binding.action] = (binding.key, self.app.get_key_display(binding),
                                         binding.description, enabled)
        if tuple(shown.values()) != self._shown:
            self._shown = tuple(shown.values())
            self.refresh()

    def _fitting(self) -> list[tuple[tuple[str, str, str, bool], int]]:
        """The keys that fit the line whole, each with the cell where it ends.

        A key cut mid-word ("t 投诉举") reads as another word, so the line stops at
        the last key that fits; the rest are in `?` help and the command palette."""
        fitting, end = [], 0
        for shown in self._shown:
            _key, display, description, _enabled = shown
            end += cell_len(f" {display} {description} " if description else f" {display} ")
            if end > self.size.width:
                break
            fitting.append((shown, end))
        return fitting

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keys-footer--key")
        description_style = self.get_component_rich_style("keys-footer--description")
        line = Text(no_wrap=True, overflow="crop", end="")
        for (_key, display, description, enabled), _end in self._fitting():
            dim = Style(dim=not enabled)
            line.append(f" {display} ", key_style + dim)
            line.append(f"{description} " if description else "", description_style + dim)
        return line

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A press on a key (its letter or its words) presses it; a disabled one rings."""
        for (key, _display, _description, enabled), end in self._fitting():
            if event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
