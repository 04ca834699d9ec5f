"""Alembic scripts of the central store (script_location tongban.central:migrations)."""
