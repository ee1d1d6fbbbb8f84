"""What every admin with a history shares: reverts that check before they change anything.

A version is put back only through the admin of its own record, by someone who may change
the record as it is and as the version has it (desk/history.py does the revert itself).
"""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.core.serializers.base import DeserializationError
from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import localize
from django.utils.timezone import template_localtime
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version
from reversion.revisions import set_comment
from reversion.utils import mute_signals

from engagements.desk import history
from engagements.upkeep import version as archive_version

# Before the admin classes below: VersionAdmin would otherwise register Meeting itself,
# following its inlines only (not its topics).
history.register_models()

PUBLISH_PERMISSION = "engagements.publish_meeting"


def can_publish(request) -> bool:
    return request.user.has_perm(PUBLISH_PERMISSION)


class _Rollback(Exception):
    """Leave a revert's transaction without keeping it (a version only looked at)."""

    def __init__(self, response) -> None:
        self.response = response


class HistoryAdmin(VersionAdmin):
    """The admin's history page, with what each version changed (desk/history.py), and reverts
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
        was_public = now is not None and archive_version.is_public(now)
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
