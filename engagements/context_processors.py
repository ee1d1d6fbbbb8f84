"""Template context every page needs."""

from django.http import HttpRequest

from .models import Meeting


def archive(request: HttpRequest) -> dict:
    """Whether the archive holds synthetic sample data (a demo), so every page can say so."""
    return {"archive_has_synthetic": Meeting.objects.filter(synthetic=True).exists}
