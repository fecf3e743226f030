"""Where orjson's JSON text may differ from JavaScript's, found without the GIL (_jsscan.c)."""

from typing_extensions import Buffer

def may_differ(text: Buffer, /) -> bool: ...
