"""The local SQLite database: migrations, record revisions, the outbox, tallies."""
