"""The `statesnap` command: argument parsing and dispatch (`main`), and the headless verbs,
which import no Textual: list, verify and show (`listing`), export and import
(`export_import`), diff (`diff`), snapshot and rollback (`state_changes`), with what they share
(`errors`, `output`, `snapshot_files`, `servers`). Only the verbs that open the dashboard
(`dashboard`, `demo`) import it, inside the function that starts it."""
