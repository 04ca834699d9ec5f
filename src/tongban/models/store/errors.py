"""Errors the store raises; their messages are shown to clerks (zh_CN)."""


class StoreError(Exception):
    """The store cannot do what was asked: wrong file, wrong workstation, bad state."""


class TransitionRefused(StoreError):
    """A case event that is not allowed in the case's current state; nothing was written."""
