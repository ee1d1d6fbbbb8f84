"""A list's facets read from indexes alone (public/facets.py, `_found_up_to`).

A list no kept count serves (two filters, say a country and a topic) reads each of its
readouts' date, kind and facet keys, and counts them. Those came from the meetings' wide
rows: at 100,000 readouts, a country and a topic with 26,550 readouts in common read
25,000 pages of the table (122 ms). Now PostgreSQL reads them from
meeting_published_id_date_idx, which carries kind and facet keys (INCLUDE), and the
readouts of a country from meeting_countries_country_meeting_idx in meeting order, so the
three sides are merged from indexes (29 ms).

The countries' index is on the many-to-many table Django makes itself, which no model
declares: it is created here, on both databases.
"""

from django.db import migrations, models

COUNTRY_INDEX = "meeting_countries_country_meeting_idx"


class Migration(migrations.Migration):
    dependencies = [("engagements", "0022_facetcount_numbers_first")]

    operations = [
        migrations.RemoveIndex(model_name="meeting", name="meeting_published_id_date_idx"),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["id", "date"],
                include=("kind", "facet_keys"),
                name="meeting_published_id_date_idx",
            ),
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {COUNTRY_INDEX} "
            "ON engagements_meeting_countries (country_id, meeting_id)",
            f"DROP INDEX IF EXISTS {COUNTRY_INDEX}",
        ),
    ]
