"""Time travel across a snapshot directory: one entry's history, search, pinned restore points."""
