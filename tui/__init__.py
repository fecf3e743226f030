"""statesnap's terminal side: the `statesnap` command and its Textual dashboard.

The modules at this level are the app's plumbing: the App (`app`, `app.tcss`), the context
every screen shares, the attachment to a running server, the browser's sources (a file, the
live state), the workers' messages, the command palette, the clipboard, the terminal check and
the thread pool. The folders: `cli` (the command; headless verbs that import no Textual),
`screens`, `widgets`, `rows` (row models that import no widget) and `text` (text helpers).
"""
