"""Load the annual-assessment criteria and stipend bands (`liaisons/data/assessment.yaml`).

Idempotent: a criterion or band already present keeps the weights the office gave it in the admin;
new ones are added.  Running it twice changes nothing.
"""

from decimal import Decimal
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "assessment.yaml"


def read():
    with open(DATA_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load(apps=None):
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Criterion = apps.get_model("liaisons", "AssessmentCriterion")
    StipendBand = apps.get_model("liaisons", "StipendBand")
    Settings = apps.get_model("liaisons", "ProgrammeSettings")
    data = read()
    for position, row in enumerate(data["criteria"], start=1):
        Criterion.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "article": row.get("article", ""),
                "weight": Decimal(str(row["weight"])),
                "cap": row.get("cap"),
                "position": position,
            },
        )
    if not StipendBand.objects.exists():
        for band in data["stipend_bands"]:
            StipendBand.objects.create(
                from_rank=band["from_rank"],
                to_rank=band.get("to_rank"),
                title=band["title"],
                amount=Decimal(str(band["amount"])),
                excellent=band.get("excellent", False),
            )
    due = data["fee_due"]
    Settings.objects.get_or_create(pk=1, defaults={"fee_due_month": due["month"], "fee_due_day": due["day"]})
    return {"assessment criteria": Criterion.objects.count(), "stipend bands": StipendBand.objects.count()}
