"""Reference data of the specialists programme: 附件一 point rules, 附件二 rewards, the six committees.

`load()` adds rows missing from the database and leaves existing ones alone: the rules and
rewards are editable in the admin, and a refresh must not undo a staff edit.
"""

from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"


def read(name):
    with open(DATA / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _upsert(Model, rows, fields):
    created = 0
    for order, row in enumerate(rows, start=1):
        defaults = {field: row.get(field, default) for field, default in fields.items()}
        defaults["order"] = order
        _obj, was_created = Model.objects.get_or_create(code=row["code"], defaults=defaults)
        created += was_created
    return created


def load(apps=None):
    def model(name):
        if apps:
            return apps.get_model("specialists", name)
        from . import models

        return getattr(models, name)

    rules = read("point_rules.yaml")
    rewards = read("rewards.yaml")
    committees = read("committees.yaml")
    new_rules = _upsert(
        model("PointRule"),
        rules,
        {"name": "", "kind": "", "points": None, "per_amount": None, "levels": {}, "unit": "", "note": ""},
    )
    new_rewards = _upsert(
        model("Reward"), rewards, {"name": "", "kind": "", "cost": None, "floor": None, "rate": None, "note": ""}
    )
    new_committees = _upsert(model("Committee"), committees, {"name": ""})
    model("ProgrammeSettings").objects.get_or_create(pk=1)
    return {
        "point rules": f"{len(rules)} ({new_rules} new)",
        "rewards": f"{len(rewards)} ({new_rewards} new)",
        "committees": f"{len(committees)} ({new_committees} new)",
    }
