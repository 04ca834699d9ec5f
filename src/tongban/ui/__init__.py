"""Qt widgets, dialogs and item models. Services are injected; no database sessions here."""
