"""The command palette (ctrl+p): every screen and every action's form by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from tui_app.i18n import pick, t

LIST_KINDS = ("inspection", "case", "complaint", "activity")


class Palette(CommandPalette):
    """Textual's command palette, its "nothing found" line in the user's language."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """Textual's own countdown (textual 8.2, command.py), whose line is fixed English
        text no setting reaches; the same steps with the catalog's words."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:  # an empty search is discovery: nothing to say
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(t("ui.palette.no_matches"), style="not bold")),
                           disabled=True, id=self._NO_MATCHES))
            self._list_visible = bool(search_value)

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


class FieldLogCommands(Provider):
    """'新建：食品安全专项整治', '列表：案件', … found by any part of their name."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.app
        found: list[tuple[str, Callable[[], object], str]] = []
        pack = getattr(app, "pack", None)
        if pack is not None:
            for number, action in enumerate(pack.actions, start=1):
                found.append((t("ui.cmd.new_inspection", action=pick(action.name)),
                              partial(app.open_entry, action.id), t("ui.cmd.key", number=number)))
        for kind in ("case", "complaint", "activity"):
            found.append((t("ui.cmd.new", kind=t(f"kind.{kind}")),
                          partial(app.open_kind_form, kind), ""))
        for kind in LIST_KINDS:
            found.append((t("ui.cmd.list", kind=t(f"kind.{kind}")),
                          partial(app.open_list, kind), ""))
        found += self._screen_keys()
        found.append((t("ui.cmd.settings"), app.action_settings, "i"))
        found.append((t("ui.cmd.sync"), app.action_sync, "s"))
        found.append((t("ui.cmd.report"), app.action_report, "r"))
        return found

    def _screen_keys(self) -> list[tuple[str, Callable[[], object], str]]:
        """Every key of the screen the palette was opened on, as a command too."""
        screen = self.screen
        found = []
        for key, bindings in screen._bindings.key_to_bindings.items():
            for binding in bindings:
                if binding.description and binding.show:
                    run = partial(self.app.call_later, self.app.run_action, binding.action, screen)
                    found.append((t("ui.cmd.key_action", action=binding.description),
                                  run, binding.key_display or key))
        return found

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
