"""Tests of the desktop's local cache (atrium.cache): no server needed."""
