"""Row models: what the dashboard's tables show, as plain data; they import no widget.

The columns and the row-source protocol a table reads (`columns`), the snapshots listing
(`snapshots`), a map's layout, cells and rows (`map_layouts`, `entry_cells`, `map_rows`), a
live map read a page at a time (`live`), and a diff's rows (`diff`).
"""
