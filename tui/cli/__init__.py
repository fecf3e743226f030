"""The `statesnap` command: its arguments (`parser`, `travel_parsers`) and dispatch (`main`),
each verb's module imported only when it runs (`verb_run`), and the headless verbs, which import
no Textual: list and verify (`listing`), show (`show_verb`), export and import (`export_import`),
diff (`diff`), snapshot and rollback (`state_changes`), history, grep and pins (`history_verb`,
`grep_verb`, `pin_verbs`), with what they share (`errors`, `output`, `snapshot_files`, `nearby`,
`servers`). Only the verbs that open the dashboard (`dashboard`, `demo`) import it, inside the
function that starts it."""
