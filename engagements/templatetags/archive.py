"""Small presentation helpers for the archive's templates."""

from django import template
from django.utils.safestring import SafeString

from engagements.public import cards

register = template.Library()


@register.filter
def percent(share: float) -> str:
    """0.4 → "40.0%": a bar length for inline SVG (attributes, never inline CSS)."""
    try:
        return f"{max(0.0, min(1.0, float(share))) * 100:.1f}%"
    except (TypeError, ValueError):
        return "0%"


@register.simple_tag
def card(meeting: cards.Card) -> SafeString:
    """A readout's row in a list (public/cards.py draws it)."""
    return cards.render(meeting)
