"""Fill the search text of existing meetings (0007 then builds the full-text index)."""

from django.db import migrations


def search_texts(*, title, people, summary, topics, places) -> tuple[str, str]:
    """(primary, secondary), as the app made them when this migration was written: a copy,
    so that later changes to the app never change what this migration does."""
    return "\n".join([title, *people]), "\n".join([summary, *topics, *places])


def fill_search_text(apps, schema_editor):
    Meeting = apps.get_model("engagements", "Meeting")
    Participation = apps.get_model("engagements", "Participation")
    TaggedMeeting = apps.get_model("engagements", "TaggedMeeting")
    for meeting in Meeting.objects.select_related("location_country").iterator():
        people, places = [], [meeting.city]
        for name, aliases, country in (
            Participation.objects.filter(meeting=meeting)
            .order_by("order", "id")
            .values_list("official__name", "official__aliases", "official__country__name")
        ):
            people += [name, *filter(None, aliases.splitlines())]
            places.append(country)
        if meeting.location_country:
            places.append(meeting.location_country.name)
        topics = TaggedMeeting.objects.filter(content_object=meeting).values_list(
            "tag__name", flat=True
        )
        meeting.search_primary, meeting.search_secondary = search_texts(
            title=meeting.title,
            people=people,
            summary=meeting.summary,
            topics=sorted(topics),
            places=[places[0], *sorted(set(places[1:]))],
        )
        meeting.save(update_fields=["search_primary", "search_secondary"])


class Migration(migrations.Migration):
    dependencies = [("engagements", "0005_search")]

    operations = [
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
