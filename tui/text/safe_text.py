"""Untrusted text made safe to show in a widget: `safe_text`, a Rich `Text` of it with control,
C1 and bidi characters as visible escapes (`escaping`, whose two functions it re-exports for the
dashboard's modules).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from statesnap.tui.text.escaping import escape_controls, escape_json_for_terminal

__all__ = ["escape_controls", "escape_json_for_terminal", "safe_text"]


def safe_text(text: str, style: str | Style = "") -> Text:
    """Untrusted text as one line for a widget: escapes visible, newlines and tabs shown as
    `\\n` and `\\t`, and never parsed as markup."""
    return Text(escape_controls(text, keep_newlines=False), style=style, no_wrap=True, end="")
