from django.db import migrations


def create_roles(apps, schema_editor):
    from alliance.reference import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
