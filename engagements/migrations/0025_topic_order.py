"""A readout's topics keep their order: its main subjects first, as its `themes` list them.

The importer has always written a readout's topic links in the order of its themes, so
the links' ids give that order back: each readout's links are numbered from 0 by id.
"""

from django.db import migrations, models

NUMBER_BY_ID = """
    UPDATE engagements_taggedmeeting SET "order" = numbered.position
    FROM (
        SELECT id, row_number() OVER (PARTITION BY content_object_id ORDER BY id) - 1 AS position
        FROM engagements_taggedmeeting
    ) AS numbered
    WHERE numbered.id = engagements_taggedmeeting.id
"""


class Migration(migrations.Migration):
    dependencies = [("engagements", "0024_search_hyphenated_words_as_their_parts")]

    operations = [
        migrations.AddField(
            model_name="taggedmeeting",
            name="order",
            field=models.PositiveSmallIntegerField(
                default=32767,
                help_text="The topic's place among the readout's topics, from 0: its main "
                "subjects first, as the readout's `themes` list them.",
            ),
        ),
        migrations.RunSQL(NUMBER_BY_ID, migrations.RunSQL.noop),
    ]
