"""Django's SQLite backend with writers queued up front instead of sleeping in SQLite's busy handler."""
