"""Load the indicator catalogue files (`greenmine/data/catalogue-*.yaml`) into the database.

Idempotent upsert: running it twice changes nothing.  Each file is one version; the highest
version becomes current, older ones stay for the assessments that use them.
"""

from decimal import Decimal
from pathlib import Path

import yaml
from django.utils import timezone

DATA_DIR = Path(__file__).resolve().parent / "data"


def catalogue_files():
    return sorted(DATA_DIR.glob("catalogue-*.yaml"))


def read_catalogue(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _decimal(value):
    return Decimal(str(value))


def load(apps=None):
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    CatalogueVersion = apps.get_model("greenmine", "CatalogueVersion")
    Category = apps.get_model("greenmine", "Category")
    Prerequisite = apps.get_model("greenmine", "Prerequisite")
    Indicator = apps.get_model("greenmine", "Indicator")

    versions, indicators = [], 0
    for path in catalogue_files():
        data = read_catalogue(path)
        version, _ = CatalogueVersion.objects.update_or_create(
            code=str(data["version"]), defaults={"title": data["title"], "source": data.get("source", "")}
        )
        versions.append(version)
        categories = {}
        for cat in data["categories"]:
            categories[cat["number"]], _ = Category.objects.update_or_create(
                version=version,
                number=cat["number"],
                defaults={"name": cat["name"], "label": cat.get("label", ""), "points": _decimal(cat["points"])},
            )
        for order, item in enumerate(data["prerequisites"], start=1):
            Prerequisite.objects.update_or_create(
                version=version,
                code=item["code"],
                defaults={"name": item["name"], "requirement": item["requirement"], "order": order},
            )
        for item in data["indicators"]:
            Indicator.objects.update_or_create(
                version=version,
                number=item["number"],
                defaults={
                    "category": categories[item["category"]],
                    "subcategory": item["subcategory"],
                    "name": item["name"],
                    "points": _decimal(item["points"]),
                    "scoring_text": item["scoring_text"],
                    "method": item["method"],
                    "basis": item.get("basis") or "",
                    "attribute": item["attribute"],
                    "variant": item.get("variant") or "",
                    "rule": item["rule"],
                },
            )
            indicators += 1
        # Last: the catalogue cache (selectors.catalogue) is keyed by `loaded_at`.
        CatalogueVersion.objects.filter(pk=version.pk).update(loaded_at=timezone.now())
    if versions:
        latest = max(versions, key=lambda v: v.code)
        CatalogueVersion.objects.exclude(pk=latest.pk).filter(is_current=True).update(is_current=False)
        CatalogueVersion.objects.filter(pk=latest.pk).update(is_current=True)
    return {"catalogue_versions": len(versions), "indicators": indicators}
