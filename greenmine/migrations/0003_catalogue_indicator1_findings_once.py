"""Reload catalogue 2024 after a transcription correction of the same version.

Indicator 1 (功能分区): 管理区、生活区分区不明显扣 0.5 分 / 生产区、管理区分区不明显扣 1.5 分 are
conditions, each deducted at most once (scores 2, 1.5, 0.5, 0); the first transcription let a
condition be counted repeatedly (e.g. 1.0 from two "findings").  Points are unchanged, so existing
assessments keep version 2024; a stored score stays as it was saved.
"""

from django.db import migrations


def reload_catalogue(apps, schema_editor):
    from greenmine.reference import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("greenmine", "0002_catalogue")]

    operations = [migrations.RunPython(reload_catalogue, migrations.RunPython.noop)]
