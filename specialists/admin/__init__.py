"""The staff tool for the specialists programme: every model, read-only ledger and history,
actions and pages that call the services and report what they did.

Importing the modules registers their admins; one module per area of the programme.
"""

from . import committees, documents, ledger, lifecycle, organisation, people, programme  # noqa: F401
