"""The staff's daily tool: one form per readout, participants and sources inline.

Beyond the stock admin: a readout is proposed from a pasted press release; Contributors
write drafts and Editors publish them (roles.py), and only once they have an envoy, a
counterpart and a source (publishing.py); a draft can be previewed as the public will see
it; every change is kept and can be reverted (history.py); duplicates can be merged
(merging.py), and old addresses keep working (permalinks.py).
"""

from __future__ import annotations

import contextlib
import secrets

import pycountry
import taggit.models
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.core.serializers.base import DeserializationError
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.timezone import template_localtime
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version
from reversion.revisions import set_comment
from reversion.utils import mute_signals
from taggit.utils import edit_string_for_tags

from . import caching, derived, facetcounts, history, merging, pressrelease, publishing, views
from .models import (
    Country,
    FormerAddress,
    Meeting,
    Official,
    Organization,
    Participation,
    Source,
    Topic,
    unique_slug,
)

# Before the admin classes below: VersionAdmin would otherwise register Meeting itself,
# following its inlines only (not its topics).
history.register_models()

PUBLISH_PERMISSION = "engagements.publish_meeting"
# Pasted proposals kept in the staff member's session, newest last.
PROPOSALS_KEPT = 5
LONGEST_PASTE = 200_000  # characters: ten times a long communiqué


def can_publish(request) -> bool:
    return request.user.has_perm(PUBLISH_PERMISSION)


class _Rollback(Exception):
    """Leave a revert's transaction without keeping it (a version only looked at)."""

    def __init__(self, response) -> None:
        self.response = response


class HistoryAdmin(VersionAdmin):
    """The admin's history page, with what each version changed (history.py), and reverts
    that check before they change anything.

    django-reversion's own revert and recover views revert a whole revision first and ask
    for permission afterwards, of whatever object the address names. Here a version is only
    ever put back through the admin of its own model and object; who may change the record
    as it is now *and* as the version has it is asked first; and only that record moves
    (history.revert)."""

    object_history_template = "admin/engagements/object_history.html"
    history_latest_first = True

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            return super().history_view(request, object_id, extra_context)
        versions = list(
            Version.objects.get_for_object(obj)
            .select_related("revision__user")
            .order_by("-revision__date_created", "-pk")
        )
        opts = self.model._meta
        action_list = [
            {
                "revision": version.revision,
                "url": reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                    args=[obj.pk, version.pk],
                ),
                "changes": changes,
            }
            for version, changes in zip(versions, history.describe_changes(versions), strict=True)
        ]
        context = {"action_list": action_list, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    # -- putting a version back --------------------------------------------------------------

    def has_restore_permission(self, request) -> bool:
        """Bringing back a deleted record is for those who may delete it (Editors)."""
        return self.has_add_permission(request) and self.has_delete_permission(request)

    def may_revert(self, request, *, now, then) -> bool:
        """May this user make the record (`now`, None if deleted) what `then` holds?"""
        if now is None:
            return self.has_restore_permission(request) and self.has_change_permission(
                request, then
            )
        return self.has_change_permission(request, now) and self.has_change_permission(
            request, then
        )

    def _own_version(self, version_id: str, **lookup) -> Version:
        """A version of a record of this admin's model, or 404 (never another model's)."""
        versions = Version.objects.get_for_model(self.model)
        version = versions.filter(pk=version_id, **lookup).first()
        if version is None:
            raise Http404("No such version of this kind of record.")
        return version

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_restore_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        version = self._own_version(version_id)
        if self.model._default_manager.filter(pk=version.object_id).exists():
            raise Http404("This record exists: put back one of its versions from its history.")
        context = {"title": f"Recover {version.object_repr}", "recover": True}
        template = self.recover_form_template or self._reversion_get_template_list(
            "recover_form.html"
        )
        return self._revert_view(
            request, version, None, template, {**context, **(extra_context or {})}
        )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        object_id = unquote(object_id)
        version = self._own_version(version_id, object_id=object_id)
        now = self.get_object(request, object_id)
        if now is None:
            raise Http404("This record was deleted: recover it from the deleted records.")
        context = {"title": f"Revert {version.object_repr}", "revert": True}
        template = self.revision_form_template or self._reversion_get_template_list(
            "revision_form.html"
        )
        return self._revert_view(
            request, version, now, template, {**context, **(extra_context or {})}
        )

    def _revert_view(self, request, version: Version, now, template, context):
        """The record's form filled in as `version` has it; saving it puts the version back.

        Permissions first, then the revert and the form in one transaction: a GET (looking)
        and a form that does not save are rolled back, so nothing changes until a save."""
        try:
            then = version._object_version.object
        except (RevertError, DeserializationError, LookupError) as error:
            return self._revert_refused(request, f"This version cannot be read: {error}")
        if not self.may_revert(request, now=now, then=then):
            raise PermissionDenied
        former_path = now.get_absolute_url() if now is not None else None
        was_public = now is not None and caching.is_public(now)
        saved_on = localize(template_localtime(version.revision.date_created))
        note = (
            f"Recovered as it was on {saved_on}."
            if now is None
            else f"Reverted to previous version, saved on {saved_on}."
        )
        # Looking must not set anything in motion: the receivers stay silent on a GET.
        muted = (
            mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
            if request.method == "GET"
            else contextlib.nullcontext()
        )
        try:
            with transaction.atomic(), muted:
                history.revert(version)
                record = self.model._default_manager.get(pk=version.object_id)
                with self.create_revision(request):
                    request.revert_note = note
                    response = self.changeform_view(
                        request, quote(str(record.pk)), request.path, context
                    )
                    if request.method == "POST" and response.status_code == 302:
                        set_comment(note)
                        record.refresh_from_db()
                        history.refresh_after_revert(
                            record, former_path=former_path, was_public=was_public
                        )
                        return response
                    if response.status_code == 200:
                        response.template_name = template
                        response.render()  # now, while the version is in place
                    raise _Rollback(response)
        except (RevertError, ProtectedError) as error:
            return self._revert_refused(request, str(error))
        except _Rollback as rollback:
            return rollback.response

    def _revert_refused(self, request, message: str):
        self.message_user(request, message, messages.ERROR)
        opts = self.model._meta
        return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")

    def log_change(self, request, obj, message):
        # A revert is logged as one, whatever fields the form then changed.
        return super().log_change(request, obj, getattr(request, "revert_note", None) or message)


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
        label="or a new official", required=False, max_length=200, help_text="Their name."
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


class ProposalInlineMixin:
    """Prefill an inline's extra rows from a pasted press release (GET of the add page)."""

    proposal_key = ""

    def proposed_rows(self, request) -> list[dict]:
        proposal = getattr(request, "pasted_proposal", None) or {}
        return proposal.get(self.proposal_key, [])

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return max(super().get_extra(request, obj, **kwargs), len(self.proposed_rows(request)))


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


class SourceInline(ProposalInlineMixin, admin.TabularInline):
    model = Source
    formset = SourceFormSet
    extra = 1
    fields = ["order", "publisher", "url", "published", "archived_url"]
    proposal_key = "sources"


# -- pasting a press release --------------------------------------------------------------


class PasteForm(forms.Form):
    text = forms.CharField(
        label="Press release",
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100}),
        max_length=LONGEST_PASTE,
        help_text="Paste the whole text, headline and dateline included.",
    )
    url = forms.URLField(
        label="Its address",
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="Optional: the page it was published on.",
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].replace("\x00", "")
        if not text.strip():
            raise forms.ValidationError("Paste the text of a press release.")
        return text

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Enter an http or https address.")
        return url


def proposal_as_initial(proposal: pressrelease.Proposal) -> dict:
    """A proposal as JSON-safe initial data for the readout form and its inlines."""
    known_countries = dict(Country.objects.values_list("code", "pk"))
    slug = (
        unique_slug(Meeting, proposal.title, max_length=200, date=proposal.date)
        if proposal.date
        else slugify(proposal.title)[:200]
    )
    return {
        "meeting": {
            "title": proposal.title[:300],
            # The admin's script fills the slug as the title is typed, not from initial data.
            "slug": slug,
            "date": proposal.date.isoformat() if proposal.date else "",
            "kind": proposal.kind,
            "city": proposal.city,
            "location_country": known_countries.get(proposal.location_country_code),
            "summary": proposal.summary[:2000],
            "body": proposal.body,
            "topics": edit_string_for_tags(proposal.topics),
            "status": Meeting.Status.DRAFT,
        },
        "participants": [
            {
                "order": order,
                "role": person.role,
                "title": person.title[:300],
                **(
                    {"official": person.official.pk}
                    if person.official
                    else {
                        "new_official_name": person.name[:200],
                        "new_official_country": person.country_code,
                    }
                ),
            }
            for order, person in enumerate(proposal.participants)
        ],
        "sources": [
            {
                "order": 0,
                "publisher": proposal.publisher[:200],
                "url": proposal.url,
                "published": proposal.published.isoformat() if proposal.published else "",
            }
        ]
        if proposal.publisher or proposal.url
        else [],
        "notes": proposal.notes,
        "recognised": {
            "participants": [
                {
                    "name": person.name,
                    "known": bool(person.official),
                    "role": person.role,
                    "title": person.title,
                    "country": person.country_code,
                }
                for person in proposal.participants
            ],
            "topics": [topic.name for topic in proposal.topics],
            "missing_countries": sorted(
                {proposal.location_country_code} - set(known_countries) - {""}
            ),
        },
    }


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
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

    # -- roles: Contributors write drafts, Editors publish ---------------------------------

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
        derived.refresh([form.instance.pk])

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

    def paste_view(self, request):
        """Paste a press release; the add form opens with the readout it proposes."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PasteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            proposal = pressrelease.propose(form.cleaned_data["text"], url=form.cleaned_data["url"])
            token = secrets.token_urlsafe(12)
            kept = request.session.get("pasted_proposals", {})
            kept = dict(list(kept.items())[-(PROPOSALS_KEPT - 1) :])
            kept[token] = proposal_as_initial(proposal)
            request.session["pasted_proposals"] = kept
            return redirect(f"{reverse('admin:engagements_meeting_add')}?proposal={token}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Paste a press release",
            "form": form,
        }
        return TemplateResponse(request, "admin/engagements/meeting/paste.html", context)

    def _pasted(self, request) -> dict | None:
        token = request.GET.get("proposal", "")
        return request.session.get("pasted_proposals", {}).get(token) if token else None

    def add_view(self, request, form_url="", extra_context=None):
        proposal = self._pasted(request) if request.method == "GET" else None
        # Read by get_changeform_initial_data, get_formset_kwargs and the inlines' extra rows.
        request.pasted_proposal = proposal
        if proposal:
            extra_context = {**(extra_context or {}), "proposal": proposal}
        return super().add_view(request, form_url, extra_context)

    def get_changeform_initial_data(self, request) -> dict:
        proposal = getattr(request, "pasted_proposal", None)
        if proposal:
            return {key: value for key, value in proposal["meeting"].items() if value}
        return super().get_changeform_initial_data(request)

    def get_formset_kwargs(self, request, obj, inline, prefix) -> dict:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # On GET only: rows given as initial data and posted unchanged would count as empty.
        if request.method == "GET" and isinstance(inline, ProposalInlineMixin):
            rows = inline.proposed_rows(request)
            if rows:
                kwargs["initial"] = rows
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_publish"] = can_publish(request)
        return super().render_change_form(request, context, add, change, form_url, obj)


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
    ordering = ["name", "id"]
    list_filter = [("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country"]
    search_fields = ["name", "aliases", "slug"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "country", "aliases", "wikidata_id", "bio"]
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
