"""Pure domain rules: no I/O, no sqlite3, no Textual."""
