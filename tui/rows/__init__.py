"""Row models: what the dashboard's tables show, as plain data (they import no widget)."""
