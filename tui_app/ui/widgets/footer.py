"""Textual's footer, rebuilt only when the keys it shows change.

While a screen starts, Textual announces its bindings several times (mount, focus,
first refresh) and its footer rebuilds every key each time, restyling each key
twice; on the dashboard that was a tenth of the start. The same keys announced again
now cost nothing.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """A footer that skips a rebuild when the visible keys are what it already shows.

    The palette key is an ordinary key at the end (the app's `ctrl+p`), not Textual's
    docked one, which covers the last keys at 80 columns.
    """

    def __init__(self) -> None:
        super().__init__(show_command_palette=False)

    _shown: tuple[tuple[str, str, str, bool], ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = tuple((binding.key, binding.action, binding.description, enabled)
                          for _node, binding, enabled, _tip in screen.active_bindings.values()
                          if binding.show or binding.action == "command_palette")
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
