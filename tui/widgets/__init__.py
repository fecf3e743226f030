"""The dashboard's own widgets: a virtual table, a virtual JSON view, the snapshot detail, the
read-only banner and the footer."""
