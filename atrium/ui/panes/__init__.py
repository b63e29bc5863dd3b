"""The main window's panes, one module each; ``base.Pane`` is what the shell expects of them."""
