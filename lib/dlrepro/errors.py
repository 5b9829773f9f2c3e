"""Errors that carry a message a reader can act on.

The CLI turns every :class:`DlreproError` into a one-paragraph message and exit status 2,
so a mistyped chapter, profile or device never ends in a traceback.
"""

from __future__ import annotations


class DlreproError(Exception):
    """Base class: something the user asked for cannot be done as asked."""


class ConfigError(DlreproError, ValueError):
    """A malformed or unknown parameter (profile, device, chapter, sparsity, ...)."""


class DatasetUnavailableError(DlreproError, FileNotFoundError):
    """An optional dataset is not on disk and cannot be downloaded here."""
