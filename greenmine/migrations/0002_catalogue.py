from django.db import migrations


def load_catalogue(apps, schema_editor):
    from greenmine.reference import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("greenmine", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
