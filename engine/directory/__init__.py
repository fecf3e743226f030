"""The snapshot directory on disk: private atomic writes, listing, rotation, the one-server lock."""
