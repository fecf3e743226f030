"""SnapshotService: saving, restoring, rolling back and undoing the state through snapshot files."""
