from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _repair_search_index(sender, using: str = "default", **kwargs) -> None:
    from . import search

    # A migration that rebuilds the meetings table on SQLite drops the FTS triggers.
    search.repair_sqlite_index(using)


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "Engagement archive"

    def ready(self) -> None:
        from . import caching, dumps, faults, history, permalinks, roles, signals  # noqa: F401

        history.register_models()

        caching.connect_signals()
        caching.archive_changed.connect(dumps.on_archive_changed, dispatch_uid="dumps")

        post_migrate.connect(_repair_search_index, sender=self)
        # After django.contrib.auth's receiver, which creates the permissions the roles hold.
        post_migrate.connect(roles.ensure_roles, sender=self, dispatch_uid="archive-roles")
        connection_created.connect(faults.limit_sqlite_statements, dispatch_uid="sqlite-limit")
