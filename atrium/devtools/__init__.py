"""Developer glue behind `make run`: a local demo server, then the desktop signed in to it."""
