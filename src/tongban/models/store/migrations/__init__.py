"""Alembic migrations of the local store; run by database.open_store, never by hand."""
