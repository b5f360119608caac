"""The staff tool for the specialists programme. Importing the modules registers their admins."""

from . import people  # noqa: F401
