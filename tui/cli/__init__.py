"""The `statesnap` command: argument parsing and the headless verbs (they import no Textual)."""
