"""A contact sheet: every drawing with its name on one HTML page, to look at them together."""

from html import escape

STYLE = (
    "body{font:13px system-ui,sans-serif;margin:12px;background:#fff}"
    ".grid{display:grid;grid-template-columns:repeat(6,1fr);gap:8px}"
    "figure{margin:0}figcaption{margin-top:2px}"
    "svg{display:block;width:100%;height:auto;aspect-ratio:5/3;border:1px solid #dee2e6}"
)


def contact_sheet(drawings: list[tuple[str, str]], title: str = "Drawings") -> str:
    """An HTML page showing each (name, svg text) pair, in the order given."""
    cells = "".join(f"<figure>{svg.strip()}<figcaption>{escape(name)}</figcaption></figure>" for name, svg in drawings)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<style>{STYLE}</style></head><body><h1>{escape(title)}</h1><div class="grid">{cells}</div></body></html>\n'
    )
