"""A live map's rows, directly, with pages made up here (no server): read a page at a time,
placeholders until then, a failed page asked for again, a refresh replacing what is held."""

from __future__ import annotations

from statesnap.engine import EntryPage
from statesnap.tui.rows.live import LiveMapRows

HOSTILE = "\x1b[31mred\x1b[0m [bold]x[/]\n"


def page(offset: int, count: int, total: int, name: str = "frequencies") -> EntryPage:
    """The page a server would send: keys k<row>, values {"n": row}."""
    items = tuple((f"k{row}", {"n": row}) for row in range(offset, offset + count))
    return EntryPage(name, offset, count, total, items)


def test_live_rows_are_read_a_page_at_a_time() -> None:
    rows = LiveMapRows("frequencies", 450, page_rows=200)
    assert len(rows) == 450 and rows.key(0) is None
    assert [cell.plain for cell in rows.cells(0)] == ["…"]
    assert rows.missing_pages(0, 30) == (0,)
    assert rows.missing_pages(0, 30) == ()  # being read
    rows.add_page(page(0, 200, 450))
    assert rows.key(199) == "k199" and rows.entry(5) == {"n": 5}
    assert rows.missing_pages(190, 210) == (200,)
    rows.page_failed(200)
    assert rows.missing_pages(190, 600) == (200, 400)
    rows.add_page(page(400, 50, 450))
    assert rows.label(449) == "k449" and rows.key(200) is None
    rows.replace_rows(page(150, 60, 300))  # a refresh: only fresh rows stay, the total follows
    assert (rows.rows_held, len(rows), rows.key(0), rows.key(209)) == (60, 300, None, "k209")


def test_a_row_not_read_yet_has_no_entry() -> None:
    rows = LiveMapRows("frequencies", 10, page_rows=5)
    try:
        rows.entry(3)
    except LookupError:
        pass
    else:
        raise AssertionError("a row not read has no entry")
    assert rows.pages_covering(3, 99) == (0, 5)
    assert rows.pages_covering(20, 30) == ()


def test_a_map_that_shrinks_drops_the_rows_past_its_end() -> None:
    rows = LiveMapRows("frequencies", 10, page_rows=10)
    rows.add_page(page(0, 10, 10))
    rows.add_page(page(0, 4, 4))
    assert (len(rows), rows.rows_held, rows.key(3)) == (4, 4, "k3")


def test_cells_follow_the_maps_key_layout_and_are_escaped() -> None:
    rows = LiveMapRows("events", 1)
    assert [column.title for column in rows.columns] == ["session", "records", "last"]
    rows.add_page(EntryPage("events", 0, 1, 1, ((HOSTILE, [{"type": HOSTILE}]),)))
    cells = [cell.plain for cell in rows.cells(0)]
    assert cells[1] == "1"
    assert all("\x1b" not in cell and "\n" not in cell for cell in cells)
    assert cells[0].startswith("\\x1b[31m") and rows.key_count == 1  # shown, not acted on
