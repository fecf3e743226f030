"""The dashboard's screens: snapshots, browser, diff, and the roll-back and help modals."""
