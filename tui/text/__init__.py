"""Text helpers shared by the dashboard and the command's output (no widget here): sizes, ages
and times (`formatting`), untrusted text made safe to print (`escaping`, no Rich) and to show
in a widget (`safe_text`), JSON as lines (`json_lines`), a server's mode in words
(`server_words`), and what a roll-back will change (`rollback_plan`)."""
