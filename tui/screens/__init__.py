"""The dashboard's screens: the snapshots view (`snapshots`, over `snapshot_listing`), the browser
(`browser`, over `browser_panes`), the diff, and the roll-back and help modals; each with its
`.tcss`."""
