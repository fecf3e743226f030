"""statesnap's terminal side: the `statesnap` command and its Textual dashboard."""
