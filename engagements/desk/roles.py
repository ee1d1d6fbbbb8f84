"""The two staff roles, as groups: Contributors write drafts, Editors also publish.

`ensure_roles()` runs after every `migrate` (apps.py), so a fresh database has both groups
with exactly these permissions; run it again and nothing changes. Give a staff member a
role by putting them in the group (admin → Users).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

CONTRIBUTOR = "Contributor"
EDITOR = "Editor"

# (model, actions) in the engagements app.
_CONTRIBUTOR = {
    "meeting": ["add", "change", "view"],
    # Removing a participant, source or topic from one's own draft is a delete on these.
    "participation": ["add", "change", "delete", "view"],
    "source": ["add", "change", "delete", "view"],
    "taggedmeeting": ["add", "change", "delete", "view"],
    "official": ["add", "change", "view"],
    "organization": ["add", "change", "view"],
    "topic": ["add", "change", "view"],
    "country": ["view"],
    "formeraddress": ["view"],
}
_EDITOR_EXTRA = {
    "meeting": ["delete"],
    "official": ["delete"],  # with change: merging duplicates
    "organization": ["delete"],
    "topic": ["delete"],
    "country": ["add", "change"],
    "formeraddress": ["add", "change", "delete"],
}
PUBLISH = "publish_meeting"


def _codenames(table: dict[str, list[str]]) -> set[str]:
    return {f"{action}_{model}" for model, actions in table.items() for action in actions}


def ensure_roles(**kwargs) -> None:
    """Create or correct the Contributor and Editor groups (a post_migrate receiver)."""
    contributor = _codenames(_CONTRIBUTOR)
    editor = contributor | _codenames(_EDITOR_EXTRA) | {PUBLISH}
    for name, codenames in [(CONTRIBUTOR, contributor), (EDITOR, editor)]:
        permissions = Permission.objects.filter(
            content_type__app_label="engagements", codename__in=codenames
        )
        found = set(permissions.values_list("codename", flat=True))
        if found != codenames:  # permissions are created by an earlier post_migrate receiver
            missing = ", ".join(sorted(codenames - found))
            raise RuntimeError(f"{name} role: permissions not found: {missing}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
