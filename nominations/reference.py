"""Load the nominations' reference data: the five fields' consortia (`data/fields.yaml`) and the
GB/T 4754-2017 industry codes (`data/gbt4754-2017.csv`); read the campaign defaults
(`data/campaign.yaml`) and the technology readiness levels (`data/trl.yaml`).

Idempotent: a consortium already present keeps the contacts the office changed in the admin; an
industry code already present is left as it is and a new one is added.  Running it twice changes nothing.
"""

import csv
import functools
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
FIELDS_FILE = DATA / "fields.yaml"
INDUSTRY_FILE = DATA / "gbt4754-2017.csv"
CAMPAIGN_FILE = DATA / "campaign.yaml"
TRL_FILE = DATA / "trl.yaml"


def _yaml(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@functools.cache
def campaign_defaults():
    """The seed's timetable (month and day of each stage's deadline) and caps."""
    return _yaml(CAMPAIGN_FILE)


@functools.cache
def trl_levels():
    """{level: {"applied": description, "development": description}} for levels 1–9."""
    return {
        row["level"]: {"applied": row["applied"], "development": row["development"]}
        for row in _yaml(TRL_FILE)["levels"]
    }


def trl_description(level, project_type="applied"):
    row = trl_levels().get(level)
    if row is None:
        return ""
    return row.get(project_type) or row["applied"]


def industry_rows():
    with open(INDUSTRY_FILE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load(apps=None):
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Consortium = apps.get_model("nominations", "FieldConsortium")
    IndustryCode = apps.get_model("nominations", "IndustryCode")
    for row in _yaml(FIELDS_FILE)["fields"]:
        Consortium.objects.get_or_create(
            field=row["field"],
            defaults={
                "name": row["consortium"],
                "contact": row.get("contact", ""),
                "phone": row.get("phone", ""),
                "address": row.get("address", ""),
                "addressee": row.get("addressee", ""),
                "mobile": str(row.get("mobile", "")),
            },
        )
    existing = dict(IndustryCode.objects.values_list("code", "pk"))
    rows = industry_rows()
    new = [
        IndustryCode(code=row["code"], level=row["level"], name=row["name"], position=position)
        for position, row in enumerate(rows, start=1)
        if row["code"] not in existing
    ]
    if new:
        IndustryCode.objects.bulk_create(new, batch_size=1000)
        # Parents are set once every code exists (the file lists a parent before its children).
        ids = dict(IndustryCode.objects.values_list("code", "pk"))
        added = {row.code for row in new}
        to_link = []
        for row in rows:
            if row["code"] in added and row["parent"]:
                to_link.append(IndustryCode(pk=ids[row["code"]], parent_id=ids[row["parent"]]))
        IndustryCode.objects.bulk_update(to_link, ["parent"], batch_size=1000)
    return {"field consortia": Consortium.objects.count(), "industry codes": IndustryCode.objects.count()}
