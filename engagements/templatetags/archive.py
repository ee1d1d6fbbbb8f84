"""Small presentation helpers for the archive's templates."""

from django import template

register = template.Library()


@register.filter
def percent(share: float) -> str:
    """0.4 → "40.0%": a bar length for inline SVG (attributes, never inline CSS)."""
    try:
        return f"{max(0.0, min(1.0, float(share))) * 100:.1f}%"
    except (TypeError, ValueError):
        return "0%"
