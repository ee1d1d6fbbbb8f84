"""Paste a press release: the readout form opens filled in with what the reader proposes.

The proposal (desk/pressrelease) is kept in the staff member's session and read by the
add form, its initial data and its inlines' extra rows; nothing is saved until the editor
saves the form.
"""

from __future__ import annotations

import secrets

import reversion
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify

from engagements.admin.topics import put_in_order, topics_text
from engagements.desk import pressrelease
from engagements.models import (
    Country,
    Meeting,
    Official,
    Participation,
    Source,
    Topic,
    longest,
    unique_slug,
)
from engagements.upkeep import derived

# Before the admin classes below: VersionAdmin would otherwise register Meeting itself,
# following its inlines only (not its topics).
# Pasted proposals kept in the staff member's session, newest last.
PROPOSALS_KEPT = 5
LONGEST_PASTE = 200_000  # characters: ten times a long communiqué


class ProposalInlineMixin:
    """Prefill an inline's extra rows from a pasted press release (GET of the add page)."""

    proposal_key = ""

    def proposed_rows(self, request) -> list[dict]:
        proposal = getattr(request, "pasted_proposal", None) or {}
        return proposal.get(self.proposal_key, [])

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return max(super().get_extra(request, obj, **kwargs), len(self.proposed_rows(request)))


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
        max_length=longest(Source, "url"),
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
        unique_slug(
            Meeting, proposal.title, max_length=longest(Meeting, "slug"), date=proposal.date
        )
        if proposal.date
        else slugify(proposal.title)[: longest(Meeting, "slug")]
    )
    return {
        "meeting": {
            "title": proposal.title[: longest(Meeting, "title")],
            # The admin's script fills the slug as the title is typed, not from initial data.
            "slug": slug,
            "date": proposal.date.isoformat() if proposal.date else "",
            "kind": proposal.kind,
            "city": proposal.city,
            "location_country": known_countries.get(proposal.location_country_code),
            "summary": proposal.summary[: longest(Meeting, "summary")],
            "body": proposal.body,
            "topics": topics_text(proposal.topics),  # in the release's order
            "status": Meeting.Status.DRAFT,
        },
        "participants": [
            {
                "order": order,
                "role": person.role,
                "title": person.title[: longest(Participation, "title")],
                **(
                    {"official": person.official.pk}
                    if person.official
                    else {
                        "new_official_name": person.name[: longest(Official, "name")],
                        "new_official_country": person.country_code,
                    }
                ),
            }
            for order, person in enumerate(proposal.participants)
        ],
        "sources": [
            {
                "order": 0,
                "publisher": proposal.publisher[: longest(Source, "publisher")],
                "url": proposal.url,
                "published": proposal.published.isoformat() if proposal.published else "",
            }
        ]
        if proposal.publisher or proposal.url
        else [],
        # The release as an account, for "add as another account of this meeting".
        "account": {
            "publisher": proposal.publisher[: longest(Source, "publisher")],
            "url": proposal.url,
            "published": proposal.published.isoformat() if proposal.published else "",
            "headline": proposal.headline[: longest(Source, "headline")],
            "text": proposal.body,
            "side": proposal.side,
            "topics": [topic.pk for topic in proposal.topics],
        },
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
            "new_topics": list(proposal.new_topics),
            # The same meeting, perhaps the other side's account, already entered.
            "already": [
                {
                    "title": meeting.title,
                    "date": meeting.date.isoformat(),
                    "status": meeting.get_status_display(),
                    "url": reverse("admin:engagements_meeting_change", args=[meeting.pk]),
                    "add_account_url": reverse(
                        "admin:engagements_meeting_add_account", args=[meeting.pk]
                    ),
                }
                for meeting in proposal.already
            ],
            "missing_countries": sorted(
                {proposal.location_country_code} - set(known_countries) - {""}
            ),
        },
    }


class PasteAdminMixin:
    """The readout admin's "Paste a press release" page, and its add form filled in from
    the proposal (kept in the staff member's session, newest last)."""

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

    def add_account_view(self, request, object_id):
        """Add the pasted release to an existing readout as another account (POST)."""
        meeting = self.get_object(request, object_id)
        if meeting is None:
            raise Http404("No such readout.")
        if request.method != "POST":
            return redirect(reverse("admin:engagements_meeting_change", args=[meeting.pk]))
        if not self.has_change_permission(request, meeting):
            raise PermissionDenied
        token = request.POST.get("proposal", "")
        proposal = request.session.get("pasted_proposals", {}).get(token) if token else None
        if not proposal:
            messages.error(request, "The pasted release is no longer at hand: paste it again.")
            return redirect(reverse("admin:engagements_meeting_paste"))
        account = proposal.get("account")
        if not account:  # a proposal kept from before accounts existed
            messages.error(request, "Paste the release again to add it as an account.")
            return redirect(reverse("admin:engagements_meeting_paste"))
        try:
            source = self._add_account(request, meeting, account)
        except ValidationError as error:
            messages.error(request, f"The release could not be added as an account: {error}")
            return redirect(reverse("admin:engagements_meeting_change", args=[meeting.pk]))
        messages.success(
            request,
            f"The release was added to “{meeting.title}” as another account ({source}): "
            "check it below.",
        )
        return redirect(reverse("admin:engagements_meeting_change", args=[meeting.pk]))

    def _add_account(self, request, meeting: Meeting, account: dict) -> Source:
        # A revision like any admin save: History shows the account added, and reverting
        # to the version before removes it.
        with transaction.atomic(), reversion.create_revision():
            source = Source(
                meeting=meeting,
                publisher=account["publisher"],
                url=account["url"],
                published=account["published"] or None,
                headline=account["headline"],
                text=account["text"],
                side=Country.objects.filter(code=account["side"]).first()
                if account["side"]
                else None,
                order=meeting.sources.count(),
            )
            source.full_clean(exclude=["meeting"])
            source.save()
            found = Topic.objects.in_bulk(account["topics"])
            topics = [
                found[pk] for pk in account["topics"] if pk in found
            ]  # as the release has them
            source.topics.set(topics)
            before = [topic.name for topic in meeting.topics_in_order]
            meeting.topics.add(*topics)  # a readout's topics are its accounts' union
            put_in_order(meeting, before + [topic.name for topic in topics])  # the new ones last
            derived.refresh([meeting.pk])
            comment = f"Added an account from a pasted release: {source}."
            self.log_change(request, meeting, comment)
            reversion.set_user(request.user)
            reversion.set_comment(comment)
            reversion.add_to_revision(meeting)
        return source

    def _pasted(self, request) -> dict | None:
        token = request.GET.get("proposal", "")
        return request.session.get("pasted_proposals", {}).get(token) if token else None

    def add_view(self, request, form_url="", extra_context=None):
        proposal = self._pasted(request) if request.method == "GET" else None
        # Read by get_changeform_initial_data, get_formset_kwargs and the inlines' extra rows.
        request.pasted_proposal = proposal
        if proposal:
            extra_context = {
                **(extra_context or {}),
                "proposal": proposal,
                "proposal_token": request.GET.get("proposal", ""),
            }
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
