"""The footer of every dashboard screen: `? Help` first, and only the keys that fit, whole.

Textual's footer shows the screen's keys, then the app's, and cuts whatever passes the right
edge: in 80 columns the snapshots screen lost `? Help` (and showed `R Re`). Here the help key
comes first, the keys that can run now before those shown disabled, and a key that does not
fit is left out whole; every key is still in the help (`?`) and the palette (`ctrl+p`). And it
is composed again only when the keys it shows (or their enabled state) changed.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # the footer's keys; not exported in Textual 8

__all__ = ["DashboardFooter"]

HELP_ACTION = "help"


class DashboardFooter(Footer):
    _composed_for: tuple[object, ...] | None = None
    """The keys the footer was last composed for: Textual recomposes it whenever the screen
    refreshes its bindings, which the dashboard does on every cursor move and verdict, and
    each recompose restyles every key."""

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        widgets.sort(key=lambda widget: not _is_help(widget))  # stable: the rest keep order
        yield from widgets

    async def recompose(self) -> None:
        if not self.is_attached or not self.screen.is_current:
            return  # a screen closing (its keys may query widgets already gone) or covered
        keys = self._keys()
        if keys == self._composed_for:
            return
        self._composed_for = keys
        await super().recompose()
        self._fit()

    def _keys(self) -> tuple[object, ...]:
        """What the footer shows: each binding shown, with whether it is enabled and its
        tooltip, and whether the palette key is."""
        return (
            self.show_command_palette,
            *(
                (binding.key, binding.action, binding.description, binding.group, enabled, tip)
                for _, binding, enabled, tip in self.screen.active_bindings.values()
                if binding.show
            ),
        )

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Show the keys that fit the width: help, then the enabled ones in order, then the
        disabled ones; each shown whole or not at all."""
        keys = [key for key in self.query_children(FooterKey) if not _is_palette_key(key)]
        room = self.size.width - sum(
            _width(key) for key in self.query_children(FooterKey) if _is_palette_key(key)
        )
        ranked = sorted(keys, key=lambda key: (not _is_help(key), key.has_class("-disabled")))
        shown = set()
        for key in ranked:
            if _width(key) <= room:
                shown.add(key)
                room -= _width(key)
        for key in keys:
            key.display = key in shown


def _is_help(widget: object) -> bool:
    return isinstance(widget, FooterKey) and widget.action == HELP_ACTION


def _is_palette_key(key: FooterKey) -> bool:
    return key.has_class("-command-palette")


def _width(key: FooterKey) -> int:
    """The cells `key` takes (its text, padding, border and margin)."""
    return key.render().cell_len + key.styles.gutter.width + key.styles.margin.width
