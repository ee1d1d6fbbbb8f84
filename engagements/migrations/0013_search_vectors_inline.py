"""PostgreSQL: keep each readout's search vector in its row (see search.keep_vectors_inline)."""

from django.db import migrations

from engagements import search


def keep_inline(apps, schema_editor):
    search.keep_vectors_inline(schema_editor)


class Migration(migrations.Migration):
    # Not one transaction: the ALTER TABLE locks out readers until it commits, and it
    # commits at once; the rewrite that follows only locks rows, so pages keep serving.
    atomic = False

    dependencies = [("engagements", "0012_meeting_facet_keys")]

    operations = [migrations.RunPython(keep_inline, migrations.RunPython.noop)]
