"""Bundled fonts and their licences (a package only so that the files travel in the wheel)."""
