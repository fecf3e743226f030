"""The command palette's commands: every statesnap action of the current screen that can run
now (with the app's `get_system_commands`, which adds the theme and nothing else)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

__all__ = ["ScreenActionsProvider"]


class ScreenActionsProvider(Provider):
    """Offers statesnap's own key bindings of the screen and the app (those with an id; not a
    widget's movement keys, nor Textual's focus and copy-text keys), each once and only while
    it is enabled, titled by its description and explained by its tooltip."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Awaitable[bool]]]]:
        commands: dict[tuple[int, str], tuple[str, str, Callable[[], Awaitable[bool]]]] = {}
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not active.enabled or not isinstance(active.node, Screen | App):
                continue
            if binding.id is None:
                continue
            if binding.action == "command_palette":
                continue
            keys = self.app.get_key_display(binding.with_key(key))
            commands.setdefault(
                (id(active.node), binding.action),
                (
                    binding.description,
                    f"{binding.tooltip or binding.description} ({keys})",
                    partial(self.app.run_action, binding.action, active.node),
                ),
            )
        return sorted(commands.values(), key=lambda command: command[0])

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
