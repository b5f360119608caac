"""The export registry (alliance.exports) discovers `<app>.exporters`: the roster and the stipend list."""

from . import exports  # noqa: F401
