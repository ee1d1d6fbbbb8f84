"""Each engine's full-text index over the meetings (see engagements/search.py).

A migration of its own: PostgreSQL adds a column here, and must not in the same
transaction as 0006's row updates.
"""

from django.db import migrations

from engagements import search


def install(apps, schema_editor):
    search.install(schema_editor)


def uninstall(apps, schema_editor):
    search.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("engagements", "0006_fill_search_text")]

    operations = [migrations.RunPython(install, uninstall)]
