"""Load the award's reference data: the 第二十三条 quota table (`data/quotas.yaml`), the 第二十六条
attachments per category (`data/attachments.yaml`) and the 第二十八条 checklist
(`data/ineligibility.yaml`).

Idempotent: a row already present is brought in line with the file (the files are the rulebook);
running it twice changes nothing.
"""

import functools
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
QUOTAS_FILE = DATA / "quotas.yaml"
ATTACHMENTS_FILE = DATA / "attachments.yaml"
INELIGIBILITY_FILE = DATA / "ineligibility.yaml"


def _yaml(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@functools.cache
def quota_table():
    """{(category, grade): (contributors, units)} from the file (special grade: none)."""
    return {
        (category, grade): (row["contributors"], row["units"])
        for category, grades in _yaml(QUOTAS_FILE)["quotas"].items()
        for grade, row in grades.items()
    }


@functools.cache
def attachment_table():
    """{category: [(code, name, required)]} in the seed's order."""
    return {
        category: [(row["code"], row["name"], row.get("required", True)) for row in rows]
        for category, rows in _yaml(ATTACHMENTS_FILE)["attachments"].items()
    }


@functools.cache
def ineligibility_items():
    return [(row["code"], row["name"]) for row in _yaml(INELIGIBILITY_FILE)["items"]]


def load(apps=None):
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    QuotaRule = apps.get_model("awards", "QuotaRule")
    AttachmentRequirement = apps.get_model("awards", "AttachmentRequirement")
    IneligibilityItem = apps.get_model("awards", "IneligibilityItem")
    for (category, grade), (contributors, units) in quota_table().items():
        QuotaRule.objects.update_or_create(
            category=category, grade=grade, defaults={"max_contributors": contributors, "max_units": units}
        )
    for category, rows in attachment_table().items():
        for position, (code, name, required) in enumerate(rows, start=1):
            AttachmentRequirement.objects.update_or_create(
                category=category, code=code, defaults={"name": name, "required": required, "position": position}
            )
    for position, (code, name) in enumerate(ineligibility_items(), start=1):
        IneligibilityItem.objects.update_or_create(code=code, defaults={"name": name, "position": position})
    return {
        "award quotas": QuotaRule.objects.count(),
        "award attachments": AttachmentRequirement.objects.count(),
        "ineligibility items": IneligibilityItem.objects.count(),
    }
