"""The snapshot directory as a live catalog for viewers: listing, verdicts, following changes."""
