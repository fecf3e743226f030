"""What a search looks for, and where a byte search finds exactly what the pattern matches.

A plain pattern is looked for as JSON writes it (a `"` in it matches `\\"` in the text), in
each entry's JSON text as `JSON.stringify` prints it, and in each key as it is. The rules
that let a search look at bytes rather than at each entry's text live here:
- a plain ASCII pattern matches case-insensitively exactly where its lower-case bytes occur in
  the text's lower-case bytes, unless the text holds a character outside ASCII that a
  case-insensitive regular expression takes for one of the pattern's letters (`folding`);
- a `token_bound` pattern (its JSON form has none of `{}[]:,` and does not start with a space)
  only ever matches inside one token of JSON text (a string, a number, `true`...): neither
  whitespace between tokens, nor the order of an object's members, nor how the neighbouring
  tokens are written can make or break a match. Unless it is `numeric` (made of what numbers
  are made of), its matches are all inside strings and literals, which every writer that
  escapes neither `/` nor characters as `\\uXXXX` writes as JavaScript does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from statesnap.engine.format.js_writer import js_dumps

__all__ = ["Finder", "SearchError", "make_finder"]

_STRUCTURE = frozenset(b"{}[]:,")
_NUMBER_CHARS = frozenset("0123456789.e+-")
_FOLDING_TO_ASCII = {"i": ("\u0130", "\u0131"), "s": ("\u017f",), "k": ("\u212a",)}
"""The only characters outside ASCII that a case-insensitive regular expression takes for an
ASCII letter (two forms of i, a long s, the Kelvin sign), by the letter."""


class SearchError(ValueError):
    """The pattern cannot be searched for (empty, or a regular expression that does not compile)."""


@dataclass(frozen=True)
class Finder:
    """Whether a key or a piece of JSON text holds the pattern. A plain pattern is looked for
    by a byte search where that finds exactly what the regular expression would
    (case-sensitive, or ASCII text and pattern), else by the regular expression."""

    keys: re.Pattern[str]
    text: re.Pattern[str]
    plain: bytes | None
    """The pattern as JSON writes it (lower-cased when case does not count); None for a
    regular expression."""
    case_sensitive: bool
    one_line: bool
    """A plain pattern without a line break, or an `assertion_free` regular expression: it is
    in no key of a list if it is not in the keys joined by line breaks."""
    lower_key: str | None = None
    """A plain ASCII pattern, lower-cased, when case does not count."""
    folding: tuple[bytes, ...] = ()
    """The UTF-8 of the characters outside ASCII a case-insensitive match takes for one of a
    plain ASCII pattern's letters."""
    token_bound: bool = False
    numeric: bool = False
    assertion_free: bool = False
    """A regular expression without anchors, word boundaries or look-arounds: what it matches
    in a part of a text it matches in the whole text."""

    def folds_bytewise(self, text: bytes) -> bool:
        """Whether the ASCII pattern matches `text` case-insensitively exactly where its
        lower-case bytes occur in the text's lower-case bytes."""
        # a one-byte search is a memchr: the lead byte first, the character only if it is there
        return not any(char[:1] in text and char in text for char in self.folding)

    def in_key(self, key: str) -> bool:
        return self.keys.search(key) is not None

    def in_some_key(self, keys: list[str]) -> bool:
        """False when no key holds the pattern (True: one may)."""
        if not self.one_line:
            return True
        joined = "\n".join(keys)
        if self.lower_key is not None and self.folds_bytewise(
            joined.encode("utf-8", "surrogatepass")
        ):
            return self.lower_key in joined.lower()
        return self.in_key(joined)

    def in_text(self, text: bytes, *, bytewise: bool | None = None) -> bool:
        """Whether JSON `text` holds the pattern (True also where its bytes are not UTF-8 and
        only the regular expression could tell); `bytewise`, if known, is `folds_bytewise`
        of the text (or of a text it is part of)."""
        if self.plain is not None and self.case_sensitive:
            return self.plain in text
        if self.plain is not None and self.plain.isascii():
            lowered = text.lower()
            if self.plain in lowered:
                return True
            if bytewise if bytewise is not None else self.folds_bytewise(text):
                return False
        try:
            decoded = text.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return True
        return self.text.search(decoded) is not None


def _is_assertion_free(pattern: str) -> bool:
    """No `^`, `$`, `\\A`, `\\Z`, `\\b`, `\\B` or `(?` anywhere in the source (a look-alike,
    such as `[^a]`, only makes the answer False)."""
    return not re.search(r"[$^]|\\[AZbB]|\(\?", pattern)


def make_finder(pattern: str, *, regex: bool, case_sensitive: bool) -> Finder:
    if not pattern:
        raise SearchError("empty pattern")
    flags = 0 if case_sensitive else re.IGNORECASE
    if regex:
        try:
            compiled = re.compile(pattern, flags)
        except re.error as exc:
            raise SearchError(f"not a valid regular expression: {exc}") from None
        assertion_free = _is_assertion_free(pattern)
        return Finder(
            compiled, compiled, None, case_sensitive, assertion_free, assertion_free=assertion_free
        )
    as_json = js_dumps(pattern)[1:-1]
    plain = as_json if case_sensitive else as_json.lower()
    text = re.compile(re.escape(as_json.decode("utf-8", "surrogatepass")), flags)
    keys = re.compile(re.escape(pattern), flags)
    lower_key = pattern.lower() if pattern.isascii() and not case_sensitive else None
    folding = tuple(
        char.encode()
        for letter, chars in _FOLDING_TO_ASCII.items()
        if lower_key is not None and letter in lower_key
        for char in chars
    )
    return Finder(
        keys,
        text,
        plain,
        case_sensitive,
        "\n" not in pattern,
        lower_key,
        folding,
        token_bound=not _STRUCTURE & set(as_json) and not as_json.startswith(b" "),
        numeric=set(pattern.lower()) <= _NUMBER_CHARS,
    )
