"""The snapshot file format: exact JSON, the file's layout and verdict, the maps' schema."""
