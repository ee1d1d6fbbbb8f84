"""The readout form: one form per readout, participants and sources inline.

Contributors write drafts and Editors publish them (desk/roles.py), and only once they have
an envoy, a counterpart and a source (desk/publishing.py); a draft can be previewed as the
public will see it; every change is kept and can be reverted (base.py, desk/history.py).
"""

from __future__ import annotations

import pycountry
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from engagements.admin.base import HistoryAdmin, can_publish
from engagements.admin.paste import PasteAdminMixin, ProposalInlineMixin
from engagements.admin.topics import OrderedTopicsField, put_in_order
from engagements.desk import publishing
from engagements.models import (
    AccountTitle,
    Country,
    Meeting,
    Official,
    Participation,
    Source,
    Topic,
    longest,
)
from engagements.public import views
from engagements.upkeep import derived, facetcounts

# Before the admin classes below: VersionAdmin would otherwise register Meeting itself,
# following its inlines only (not its topics).
# -- a readout's participants and sources -------------------------------------------------

COUNTRY_CHOICES = [
    ("", "—"),
    *sorted(
        ((c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries),
        key=lambda choice: choice[1],
    ),
]


class ParticipationForm(forms.ModelForm):
    """A participant: a known official, or a new one named here and created on save."""

    new_official_name = forms.CharField(
        label="or a new official",
        required=False,
        max_length=longest(Official, "name"),
        help_text="Their name.",
    )
    new_official_country = forms.ChoiceField(
        label="new official's country", required=False, choices=COUNTRY_CHOICES
    )

    class Meta:
        model = Participation
        fields = ["order", "role", "official", "title", "organization"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["official"].required = False

    def clean(self):
        cleaned = super().clean()
        official = cleaned.get("official")
        new_name = (cleaned.get("new_official_name") or "").strip()
        if official and new_name:
            raise forms.ValidationError("Choose a known official or name a new one, not both.")
        if not official and not new_name:
            raise forms.ValidationError("Choose an official, or name a new one with a country.")
        if new_name and not cleaned.get("new_official_country"):
            self.add_error("new_official_country", "A new official needs a country.")
        return cleaned

    def save(self, commit: bool = True) -> Participation:
        new_name = (self.cleaned_data.get("new_official_name") or "").strip()
        if new_name and not self.instance.official_id:
            # Inside the admin's transaction: a readout that fails to save leaves no official.
            self.instance.official = Official.objects.create(
                name=new_name,
                country=Country.for_code(self.cleaned_data["new_official_country"]),
            )
        return super().save(commit)


class PublicationFormSet(BaseInlineFormSet):
    """An inline that refuses a readout saved as published without what publishing needs."""

    def kept_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (self.can_delete and self._should_delete_form(form))
            if form.is_valid()
        ]

    def missing(self) -> list[str]:  # overridden per inline
        return []

    def clean(self) -> None:
        super().clean()
        if self.instance.status == Meeting.Status.PUBLISHED and any(self.missing()):
            missing = publishing.explain(self.missing())
            raise forms.ValidationError(
                f"A published readout needs {missing}. Add it, or save the readout as a draft."
            )


class ParticipationFormSet(PublicationFormSet):
    def missing(self) -> list[str]:
        roles = [form.cleaned_data.get("role") for form in self.kept_forms()]
        return publishing.missing_for_publication(roles=roles, source_count=1)


class SourceFormSet(PublicationFormSet):
    def missing(self) -> list[str]:
        count = len(self.kept_forms())
        return publishing.missing_for_publication(
            roles=[Participation.Role.ENVOY, Participation.Role.COUNTERPART], source_count=count
        )


class ParticipationInline(ProposalInlineMixin, admin.TabularInline):
    model = Participation
    form = ParticipationForm
    formset = ParticipationFormSet
    extra = 2
    autocomplete_fields = ["official", "organization"]
    fields = [
        "order",
        "role",
        "official",
        "new_official_name",
        "new_official_country",
        "title",
        "organization",
    ]
    proposal_key = "participants"


class SourceInline(ProposalInlineMixin, admin.StackedInline):
    """The readout's accounts: each side's published version, to compare on its page."""

    model = Source
    formset = SourceFormSet
    extra = 1
    fields = [
        ("order", "side", "side_organization"),
        ("publisher", "published"),
        ("url", "archived_url"),
        "headline",
        "text",
        "topics",
    ]
    autocomplete_fields = ["side", "side_organization", "topics"]
    proposal_key = "sources"


class AccountTitleInline(admin.TabularInline):
    """Where an account words a participant's office its own way: shown side by side in the
    comparison of accounts on the readout's page. Offered once the readout is saved, since
    it chooses among the readout's own accounts and participants."""

    model = AccountTitle
    extra = 0
    fields = ["participation", "account", "title"]
    verbose_name_plural = "titles as each account gives them (where they differ)"

    def get_formset(self, request, obj=None, **kwargs):
        self.parent = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        parent = getattr(self, "parent", None)
        if db_field.name == "participation":
            kwargs["queryset"] = Participation.objects.filter(meeting=parent).select_related(
                "official"
            )
        elif db_field.name == "account":
            kwargs["queryset"] = Source.objects.filter(meeting=parent).select_related("side")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "account":
            field.label_from_instance = lambda account: " · ".join(
                filter(None, [account.side.name if account.side_id else "", str(account)])
            )
        elif db_field.name == "participation":
            field.label_from_instance = lambda p: p.official.name
        return field


class MeetingForm(forms.ModelForm):
    """The readout form: its topics shown in the readout's order, main subjects first."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "topics" in self.fields:
            self.initial["topics"] = self.instance.topics_in_order


@admin.register(Meeting)
class MeetingAdmin(PasteAdminMixin, HistoryAdmin):
    form = MeetingForm
    change_list_template = "admin/engagements/meeting/change_list.html"  # + "Paste…"
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
    inlines = [ParticipationInline, SourceInline, AccountTitleInline]
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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "topics":
            return db_field.formfield(
                form_class=OrderedTopicsField,
                help_text="Separated by commas, the main subjects first (a name with a "
                'comma in it goes in double quotes: "trade, investment").',
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # -- roles: Contributors write drafts, Editors publish ---------------------------------

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None:  # the titles choose among a saved readout's accounts and people
            inlines = [i for i in inlines if not isinstance(i, AccountTitleInline)]
        return inlines

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if can_publish(request) else [*fields, "status"]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_published and not can_publish(request):
            return False  # a published readout is the Editors' to change
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_published and not can_publish(request):
            return False
        return super().has_delete_permission(request, obj)

    def has_publish_permission(self, request) -> bool:
        return can_publish(request)

    def save_model(self, request, obj, form, change) -> None:
        if not can_publish(request) and not change:
            obj.status = Meeting.Status.DRAFT  # what a Contributor writes is a draft
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A save refreshes the readout once per participant and topic written: count its
        # facets once, at the end, still inside the save's transaction.
        with transaction.atomic(), facetcounts.deferred():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # A readout's topics are the union of its accounts': a topic an account names is
        # the readout's too (after those typed).
        meeting = form.instance
        named = Topic.objects.filter(accounts__meeting=meeting).exclude(
            meeting_links__content_object=meeting
        )
        if named.exists():
            meeting.topics.add(*named.distinct())
        if "topics" in form.cleaned_data:
            put_in_order(meeting, form.cleaned_data["topics"])
        derived.refresh([meeting.pk])

    @admin.display(description="participants", ordering="participant_count")
    def participant_count(self, meeting: Meeting) -> int:
        return meeting.participant_count

    @admin.display(description="body as published (after saving)")
    def body_preview(self, meeting: Meeting) -> str:
        if not meeting.body_html:
            return "—"
        # body_html is sanitised on save (markup.render_markdown).
        return format_html('<div class="readout-preview">{}</div>', mark_safe(meeting.body_html))  # noqa: S308

    @admin.action(description="Publish the selected readouts", permissions=["publish"])
    def publish(self, request, queryset) -> None:
        published, refused = 0, []
        for meeting in queryset.filter(status=Meeting.Status.DRAFT):
            missing = publishing.missing_for_meeting(meeting)
            if missing:
                refused.append(f"“{meeting}” needs {publishing.explain(missing)}")
                continue
            meeting.status = Meeting.Status.PUBLISHED
            meeting.published_at = meeting.published_at or timezone.now()
            meeting.save()
            published += 1
        self.message_user(request, f"{published} readout(s) published.", messages.SUCCESS)
        if refused:
            self.message_user(
                request, "Not published: " + "; ".join(refused) + ".", messages.WARNING
            )

    @admin.action(description="Return the selected readouts to draft", permissions=["publish"])
    def unpublish(self, request, queryset) -> None:
        count = 0
        for meeting in queryset.filter(status=Meeting.Status.PUBLISHED):
            meeting.status = Meeting.Status.DRAFT
            meeting.save()
            count += 1
        self.message_user(request, f"{count} readout(s) returned to draft.", messages.SUCCESS)

    # -- preview and paste ------------------------------------------------------------------

    def get_urls(self):
        extra = [
            path(
                "paste/",
                self.admin_site.admin_view(self.paste_view),
                name="engagements_meeting_paste",
            ),
            path(
                "<path:object_id>/add-account/",
                self.admin_site.admin_view(self.add_account_view),
                name="engagements_meeting_add_account",
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="engagements_meeting_preview",
            ),
        ]
        return extra + super().get_urls()

    def preview_view(self, request, object_id):
        """The readout exactly as its public page shows it, drafts included; staff only."""
        meeting = self.get_object(request, object_id)
        if meeting is None:
            raise Http404("No such readout.")
        if not self.has_view_or_change_permission(request, meeting):
            raise PermissionDenied
        response = views.MeetingPreviewView.as_view()(request, pk=meeting.pk)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_publish"] = can_publish(request)
        return super().render_change_form(request, context, add, change, form_url, obj)
