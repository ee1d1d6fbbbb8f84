"""Meeting.facet_keys: each readout's countries, officials and topics, for search facets."""

from collections import defaultdict
from itertools import batched

from django.db import migrations, models


def facet_keys(*, countries, officials, topics) -> str:
    """A readout's country, official and topic ids as one text ("c12 c40 o7 t3"), as the
    app made it when this migration was written (a copy: the app's may change)."""
    return " ".join(
        f"{prefix}{pk}"
        for prefix, ids in (("c", countries), ("o", officials), ("t", topics))
        for pk in sorted(set(ids))
    )

CHUNK = 2000


def fill_facet_keys(apps, schema_editor):
    Meeting = apps.get_model("engagements", "Meeting")
    MeetingCountry = Meeting.countries.through
    Participation = apps.get_model("engagements", "Participation")
    TaggedMeeting = apps.get_model("engagements", "TaggedMeeting")
    ids = Meeting.objects.order_by("pk").values_list("pk", flat=True)
    for chunk in batched(ids.iterator(chunk_size=CHUNK), CHUNK, strict=False):
        found: dict[str, dict[int, list[int]]] = {
            facet: defaultdict(list) for facet in ("countries", "officials", "topics")
        }
        for facet, model, key, value in (
            ("countries", MeetingCountry, "meeting_id", "country_id"),
            ("officials", Participation, "meeting_id", "official_id"),
            ("topics", TaggedMeeting, "content_object_id", "tag_id"),
        ):
            for pk, value_id in model.objects.filter(**{f"{key}__in": chunk}).values_list(
                key, value
            ):
                found[facet][pk].append(value_id)
        Meeting.objects.bulk_update(
            [
                Meeting(
                    pk=pk,
                    facet_keys=facet_keys(**{facet: by_id[pk] for facet, by_id in found.items()}),
                )
                for pk in chunk
            ],
            ["facet_keys"],
            batch_size=500,
        )


class Migration(migrations.Migration):
    dependencies = [("engagements", "0011_facet_counts")]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="facet_keys",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Derived: the ids of its countries, officials and topics, e.g. “c12 o7 t3”.",
            ),
        ),
        migrations.RunPython(fill_facet_keys, migrations.RunPython.noop, elidable=True),
    ]
