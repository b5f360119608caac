from django.db import migrations


def load_reference(apps, schema_editor):
    from nominations.reference import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("nominations", "0001_initial")]

    operations = [migrations.RunPython(load_reference, migrations.RunPython.noop)]
