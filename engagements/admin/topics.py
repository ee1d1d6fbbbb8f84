"""The readout form's topics, typed in order: its main subjects first, kept as typed.

taggit's own field sorts the names it reads and shows, and reads a list without commas as
one topic per word ("CPEC 2.0" as CPEC and 2.0). Here names are separated by commas only
(one that holds a comma goes in double quotes), kept in the order typed, and shown in the
readout's order (TaggedMeeting.order), so that saving the form leaves the order as it is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django import forms
from taggit.forms import TagField

from engagements.interchange.format import MAX_THEMES
from engagements.markup import without_bidi_controls
from engagements.models import Meeting, Topic, longest


def topic_names(text: str) -> list[str]:
    """The topic names in `text`, in their order, each once (whatever its case), without
    the bidirectional controls every record's text loses when saved."""
    flat = without_bidi_controls(text.replace("\r", " ").replace("\n", " "))  # csv: a line
    if not flat.strip():
        return []
    try:
        row = next(csv.reader([flat], skipinitialspace=True), [])
    except csv.Error as error:
        raise forms.ValidationError(f"The topics could not be read: {error}.") from None
    names: dict[str, str] = {}
    for name in row:
        name = name.strip()
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def topics_text(topics: Iterable[Topic | str]) -> str:
    """Topics as the form shows them, in their order: "CPEC 2.0, Gwadar Port"."""
    names = [t if isinstance(t, str) else t.name for t in topics]
    return ", ".join(
        '"' + name.replace('"', '""') + '"' if "," in name or '"' in name else name
        for name in names
    )


class OrderedTopicsWidget(forms.TextInput):
    def format_value(self, value):
        if value is not None and not isinstance(value, str):
            value = topics_text(value)
        return super().format_value(value)


class OrderedTopicsField(TagField):
    """The readout's topics by name, separated by commas, main subjects first."""

    widget = OrderedTopicsWidget

    def clean(self, value) -> list[str]:
        names = topic_names(forms.CharField.clean(self, value) or "")
        too_long = [name for name in names if len(name) > longest(Topic, "name")]
        if too_long:
            raise forms.ValidationError(
                f"A topic's name is at most {longest(Topic, 'name')} characters: "
                f"“{too_long[0][:60]}…” is longer."
            )
        wordless = [name for name in names if not any(c.isalnum() for c in name)]
        if wordless:
            raise forms.ValidationError(
                f"A topic's name needs a letter or a digit: “{wordless[0][:60]}” has none."
            )
        if len(names) > MAX_THEMES:
            raise forms.ValidationError(
                f"A readout has at most {MAX_THEMES} topics ({len(names)} given)."
            )
        return names

    def has_changed(self, initial_value, data_value) -> bool:
        if self.disabled:
            return False
        try:
            typed = self.clean(data_value)
        except forms.ValidationError:
            return True
        before = [t if isinstance(t, str) else t.name for t in initial_value or []]
        return [n.casefold() for n in before] != [n.casefold() for n in typed]


def put_in_order(meeting: Meeting, names: list[str]) -> None:
    """Number the readout's topics as `names` lists them; the others (an account's, added
    after the form was saved) follow, in the order they had."""
    place = {name.casefold(): i for i, name in enumerate(names)}
    links = sorted(
        meeting.topic_links.select_related("tag"),
        key=lambda link: (place.get(link.tag.name.casefold(), len(place)), link.order, link.pk),
    )
    for order, link in enumerate(links):
        if link.order != order:
            link.order = order
            # Saved one by one: the revision the admin is writing (History) takes each.
            link.save(update_fields=["order"])
