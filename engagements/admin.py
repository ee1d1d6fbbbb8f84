"""The staff's daily tool: one form per readout, participants and sources inline."""

from __future__ import annotations

import taggit.models
from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import derived
from .models import (
    Country,
    Meeting,
    Official,
    Organization,
    Participation,
    Source,
    Topic,
)


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 2
    autocomplete_fields = ["official", "organization"]
    fields = ["order", "role", "official", "title", "organization"]


class SourceInline(admin.TabularInline):
    model = Source
    extra = 1
    fields = ["order", "publisher", "url", "published", "archived_url"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "kind", "place", "participant_count", "status"]
    ordering = ["-date", "-id"]
    list_display_links = ["title"]
    list_filter = [
        "status",
        "kind",
        ("countries", admin.RelatedOnlyFieldListFilter),
        ("topic_links__tag", admin.RelatedOnlyFieldListFilter),
        "date",
    ]
    list_select_related = ["location_country"]
    search_fields = ["title", "summary", "body", "external_id"]
    date_hierarchy = "date"
    autocomplete_fields = ["location_country"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["body_preview", "published_at", "created_at", "updated_at", "external_id"]
    inlines = [ParticipationInline, SourceInline]
    actions = ["publish", "unpublish"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "date", "kind", ("city", "location_country")]}),
        ("Readout", {"fields": ["summary", "body", "body_preview", "topics"]}),
        ("Publication", {"fields": ["status", "published_at", "external_id"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(participant_count=Count("participations"))

    @admin.display(description="participants", ordering="participant_count")
    def participant_count(self, meeting: Meeting) -> int:
        return meeting.participant_count

    @admin.display(description="body as published (after saving)")
    def body_preview(self, meeting: Meeting) -> str:
        if not meeting.body_html:
            return "—"
        # body_html is sanitised on save (markup.render_markdown).
        return format_html('<div class="readout-preview">{}</div>', mark_safe(meeting.body_html))  # noqa: S308

    @admin.action(description="Publish the selected readouts")
    def publish(self, request, queryset) -> None:
        count = 0
        for meeting in queryset.filter(status=Meeting.Status.DRAFT):
            meeting.status = Meeting.Status.PUBLISHED
            meeting.published_at = meeting.published_at or timezone.now()
            meeting.save()
            count += 1
        self.message_user(request, f"{count} readout(s) published.", messages.SUCCESS)

    @admin.action(description="Return the selected readouts to draft")
    def unpublish(self, request, queryset) -> None:
        count = 0
        for meeting in queryset.filter(status=Meeting.Status.PUBLISHED):
            meeting.status = Meeting.Status.DRAFT
            meeting.save()
            count += 1
        self.message_user(request, f"{count} readout(s) returned to draft.", messages.SUCCESS)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        derived.refresh([form.instance.pk])


class CountryForm(forms.ModelForm):
    class Meta:
        model = Country
        fields = ["code", "name", "slug"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Staff type the code; the name and slug follow from ISO 3166 when left empty.
        self.fields["name"].required = False
        self.fields["slug"].required = False

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if Country.iso_name(code) is None:
            raise forms.ValidationError("Not an ISO 3166-1 alpha-2 code.")
        return code


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    form = CountryForm
    list_display = ["name", "code", "official_count"]
    ordering = ["name"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(official_count=Count("officials"))

    @admin.display(description="officials", ordering="official_count")
    def official_count(self, country: Country) -> int:
        return country.official_count


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "meeting_count", "wikidata_id"]
    ordering = ["name", "id"]
    list_filter = [("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country"]
    search_fields = ["name", "aliases", "slug"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "country", "aliases", "wikidata_id", "bio"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(meeting_count=Count("participations"))

    @admin.display(description="meetings", ordering="meeting_count")
    def meeting_count(self, official: Official) -> int:
        return official.meeting_count


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "country", "parent"]
    ordering = ["name"]
    list_filter = [("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country", "parent"]
    search_fields = ["name", "abbreviation"]
    autocomplete_fields = ["country", "parent"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "meeting_count"]
    ordering = ["name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(meeting_count=Count("meeting_links"))

    @admin.display(description="meetings", ordering="meeting_count")
    def meeting_count(self, topic: Topic) -> int:
        return topic.meeting_count


# The archive's topics replace taggit's generic tags; hide those from staff.
admin.site.unregister(taggit.models.Tag)
