"""Template context every page needs."""

from django.http import HttpRequest

from engagements.upkeep import version


def archive(request: HttpRequest) -> dict:
    """Whether the archive holds synthetic sample data (a demo), so every page can say so."""
    return {"archive_has_synthetic": lambda: version.current().has_synthetic}
