"""The application: entry point and CLI, wiring, use-case services, printers."""
