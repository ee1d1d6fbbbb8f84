from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "Engagement archive"

    def ready(self) -> None:
        # Here, not at the top: these import the models, which are not ready while apps.py
        # itself is imported (Django's rule for AppConfig.ready).
        from engagements import search
        from engagements.desk import history, roles
        from engagements.public import dumps, faults
        from engagements.upkeep import receivers, version

        receivers.connect()
        history.register_models()
        # The whole archive's download files follow every change to the public archive.
        version.archive_changed.connect(dumps.on_archive_changed, dispatch_uid="dumps")
        # A migration that rebuilds the meetings table on SQLite drops the FTS triggers.
        post_migrate.connect(search.repair_after_migrate, sender=self, dispatch_uid="fts")
        # After django.contrib.auth's receiver, which creates the permissions the roles hold.
        post_migrate.connect(roles.ensure_roles, sender=self, dispatch_uid="archive-roles")
        connection_created.connect(faults.limit_sqlite_statements, dispatch_uid="sqlite-limit")
