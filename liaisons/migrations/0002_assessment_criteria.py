from django.db import migrations


def load_criteria(apps, schema_editor):
    from liaisons.reference import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("liaisons", "0001_initial")]

    operations = [migrations.RunPython(load_criteria, migrations.RunPython.noop)]
