"""The snapshot directory as a live catalog for viewers: listing, verdicts, following changes;
and the verdicts this user's statesnap reached, kept by content hash (`verdict_store`)."""
