"""Small inline SVG icons, one stroke style, drawn for this product: `{% icon "rest" %}`.

Icons only repeat what the words beside them say (they are hidden from screen readers),
so that colour is never the only signal and no icon is a letter in a circle.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# 24x24 stroke drawings (currentColor), our own.
ICONS = {
    "emergency": '<path d="M8 2h8l6 6v8l-6 6H8l-6-6V8z"/><path d="M12 7v6M12 17h.01"/>',
    "warning": '<path d="M12 3 2 21h20z"/><path d="M12 10v5M12 18h.01"/>',
    "info": '<circle cx="12" cy="12" r="10"/><path d="M12 11v6M12 7h.01"/>',
    "check": '<path d="M4 12l5 5L20 6"/>',
    "done": '<circle cx="12" cy="12" r="10"/><path d="M7 12l3.5 3.5L17 9"/>',
    "routine": '<path d="M6 7v10M3 9.5v5M18 7v10M21 9.5v5M6 12h12"/>',
    "easy": '<path d="M3 17a9 9 0 0 1 18 0"/><path d="M12 17 7 12"/>',
    "rest": '<path d="M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z"/>',
    "gentle": '<path d="M5 19C5 10 11 4 20 4c0 9-6 15-15 15z"/><path d="M5 19l8-8"/>',
    "clock": '<circle cx="12" cy="13" r="8"/><path d="M12 9v4l2.5 2.5M10 2h4"/>',
    "calendar": '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>',
    "print": '<path d="M6 9V3h12v6"/><rect x="3" y="9" width="18" height="8" rx="2"/><path d="M7 14h10v7H7z"/>',
    "copy": (
        '<rect x="9" y="9" width="12" height="12" rx="2"/>'
        '<path d="M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1"/>'
    ),
    "phone": '<path d="M5 3h4l2 5-2.5 1.5a11 11 0 0 0 6 6L16 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 5a2 2 0 0 1 2-2z"/>',
    "clinic": '<path d="M4 21V7l8-4 8 4v14z"/><path d="M12 9v6M9 12h6"/>',
    "link": (
        '<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1"/>'
        '<path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"/>'
    ),
    "plan": '<path d="M9 6h11M9 12h11M9 18h11M4 6h.01M4 12h.01M4 18h.01"/>',
    "home": '<path d="M3 11l9-8 9 8"/><path d="M5 10v10h14V10"/>',
    "chart": '<path d="M3 3v18h18"/><path d="M7 15l4-4 3 3 5-6"/>',
    "pause": '<circle cx="12" cy="12" r="10"/><path d="M10 8v8M14 8v8"/>',
}
# The icon of each kind of plan day (builder.DayKind values).
DAY_ICONS = {
    "training": "routine",
    "easy": "easy",
    "rest": "rest",
    "gentle_day": "gentle",
    "stopped_day": "emergency",
    "paused_day": "pause",
}


@register.simple_tag
def icon(name: str, size: int = 20) -> str:
    """An icon by name; an unknown name is a programming error, so it fails loudly."""
    return format_html(
        '<svg class="icon icon-{}" viewBox="0 0 24 24" width="{}" height="{}" aria-hidden="true" focusable="false" '
        'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{}</svg>',
        name,
        size,
        size,
        mark_safe(ICONS[name]),  # noqa: S308 (our own constant markup above)
    )


@register.simple_tag
def day_icon(kind: str, size: int = 20) -> str:
    return icon(DAY_ICONS[kind], size)
