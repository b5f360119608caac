"""The export registry (alliance.exports) discovers `<app>.exporters`: the nominations of a field."""

from . import exports  # noqa: F401
