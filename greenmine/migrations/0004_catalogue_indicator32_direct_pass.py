"""Reload catalogue 2024: indicator 32's "full points" choice names the seed's second case
(未列入土壤污染重点监管单位的企业本项直接得分).  Wording of the form only; points and scores unchanged."""

from django.db import migrations


def reload_catalogue(apps, schema_editor):
    from greenmine.reference import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("greenmine", "0003_catalogue_indicator1_findings_once")]

    operations = [migrations.RunPython(reload_catalogue, migrations.RunPython.noop)]
