"""Reference data (rules, rewards, indicators, committees, quotas...) lives in data files.

Each app that has reference data provides `<app>/reference.py` with `load(apps=None)`, which
upserts its data files idempotently and returns a short summary (e.g. {"rules": 26}).  Data
migrations call it with the historical `apps` so `migrate` alone gives a working system;
`manage.py load_reference_data` calls every app's loader to refresh.
"""

from importlib import import_module

PROJECT_APPS = ("alliance", "specialists", "awards", "greenmine", "liaisons", "nominations")


def loaders():
    for label in PROJECT_APPS:
        try:
            module = import_module(f"{label}.reference")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.reference":
                raise
            continue
        if hasattr(module, "load"):
            yield label, module.load


def load(apps=None):
    """Group roles only: the alliance app's own reference data."""
    from django.contrib.auth.models import Group

    from .roles import Role

    GroupModel = apps.get_model("auth", "Group") if apps else Group
    for role in Role.values:
        GroupModel.objects.get_or_create(name=role)
    return {"roles": len(Role.values)}
