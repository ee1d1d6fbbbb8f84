"""The records readouts refer to: countries, officials, organisations, topics, and the former
addresses that redirect. Duplicates of officials and topics are merged here
(desk/merging.py).
"""

from __future__ import annotations

import taggit.models
from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse

from engagements.admin.base import HistoryAdmin
from engagements.desk import merging
from engagements.models import (
    Country,
    FormerAddress,
    Official,
    Organization,
    Topic,
)


# Before the admin classes below: VersionAdmin would otherwise register Meeting itself,
# following its inlines only (not its topics).
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


class MergeAdmin(HistoryAdmin):
    """An action that merges the selected records into the one the editor keeps."""

    merge_function = None  # merging.merge_officials or merging.merge_topics
    actions = ["merge"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(meeting_count=Count(self.count_relation))

    @admin.display(description="meetings", ordering="meeting_count")
    def meeting_count(self, record) -> int:
        return record.meeting_count

    def has_merge_permission(self, request) -> bool:
        # Both: a merge changes the kept record and deletes the others. (An action's list of
        # permissions asks for any one of them, hence this check of its own.)
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description="Merge the selected into one", permissions=["merge"])
    def merge(self, request, queryset):
        records = list(queryset.order_by("-meeting_count", "pk"))
        if len(records) < 2:
            self.message_user(request, "Select at least two to merge.", messages.WARNING)
            return None
        keep_id = request.POST.get("keep", "")
        if "confirm" in request.POST and keep_id.isdigit():
            keep = next((r for r in records if r.pk == int(keep_id)), None)
            if keep is None:
                self.message_user(request, "Choose one of the selected to keep.", messages.ERROR)
                return None
            duplicates = [r for r in records if r.pk != keep.pk]
            moved = type(self).merge_function(keep=keep, duplicates=duplicates)
            names = ", ".join(f"“{d}”" for d in duplicates)
            self.message_user(
                request,
                f"Merged {names} into “{keep}”: {moved} readout(s) moved; the old names are "
                "aliases and the old addresses redirect.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Merge {self.model._meta.verbose_name_plural}",
            "records": records,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/engagements/merge.html", context)


@admin.register(Official)
class OfficialAdmin(MergeAdmin):
    list_display = ["name", "country", "meeting_count", "wikidata_id"]
    ordering = ["sort_key", "id"]
    list_filter = [("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country"]
    search_fields = ["name", "aliases", "slug"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "country", "family_name", "aliases", "wikidata_id", "bio"]
    count_relation = "participations"
    merge_function = staticmethod(merging.merge_officials)


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
class TopicAdmin(MergeAdmin):
    list_display = ["name", "slug", "meeting_count"]
    ordering = ["name"]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "aliases", "description"]
    count_relation = "meeting_links"
    merge_function = staticmethod(merging.merge_topics)


@admin.register(FormerAddress)
class FormerAddressAdmin(admin.ModelAdmin):
    """The old addresses that redirect: recorded on renames and merges, not typed in."""

    list_display = ["path", "target", "created_at"]
    search_fields = ["path"]
    list_select_related = ["meeting", "official", "topic"]
    readonly_fields = ["path", "meeting", "official", "topic", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


# The archive's topics replace taggit's generic tags; hide those from staff.
admin.site.unregister(taggit.models.Tag)
