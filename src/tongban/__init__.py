"""Tongban (通办): the counter application for Shanghai community affairs centers."""
