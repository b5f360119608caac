"""Where an imported ledger row came from, and certificates whose rendering could not be queued.

SQLite rebuilds a table to add a foreign key, and its ledger triggers (0002) name the table
being rebuilt, so on SQLite they are dropped first and created again afterwards.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

invariants = import_module("specialists.migrations.0002_ledger_invariants_and_reference_data")


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0004_jobs_dispatch_and_imports"),
        ("specialists", "0003_issued_documents"),
    ]

    operations = [
        migrations.RunPython(_sqlite(invariants.SQLITE_REVERSE), _sqlite(invariants.SQLITE_FORWARD)),
        migrations.AddField(
            model_name="issueddocument",
            name="dispatch_failed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="could not be queued at"),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="import_job",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="alliance.importjob",
                verbose_name="imported by",
            ),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="source_ref",
            field=models.CharField(blank=True, max_length=200, verbose_name="source reference"),
        ),
        migrations.RunPython(_sqlite(invariants.SQLITE_FORWARD), _sqlite(invariants.SQLITE_REVERSE)),
    ]
