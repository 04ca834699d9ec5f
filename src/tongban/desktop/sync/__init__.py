"""The workstation's side of sync: an HTTP client, one sync round, and a background loop.

Qt-free: the window reads the loop's status snapshot; the CLI runs rounds directly.
"""
