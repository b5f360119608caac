from django.db import migrations


def load_reference(apps, schema_editor):
    from awards.reference import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]

    operations = [migrations.RunPython(load_reference, migrations.RunPython.noop)]
