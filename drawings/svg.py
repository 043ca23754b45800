"""Writing the shapes of a drawing as an SVG document: deterministic, one decimal."""

from drawings.scene import BOX_HEIGHT, BOX_WIDTH, Shape
from drawings.skeleton import HALF_STROKE, STROKE

FLOOR_Y = 114.0  # the centre of the floor line in the picture
DASHES = "4 5"
HEADER = (
    f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {BOX_WIDTH} {BOX_HEIGHT}" aria-hidden="true" '
    f'focusable="false" fill="none" stroke-width="{STROKE}" stroke-linecap="round" stroke-linejoin="round">'
)


def number(value: float) -> str:
    """One decimal, no trailing ".0", never "-0"."""
    text = f"{round(value, 1) + 0.0:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _xy(point: tuple[float, float]) -> str:
    x, y = point
    return f"{number(x)} {number(FLOOR_Y - HALF_STROKE - y)}"


def _path(shape: Shape) -> str:
    if shape.kind == "area":
        return f'<path fill="{shape.colour}" stroke="none" d="M{"L".join(_xy(p) for p in shape.points)}Z"/>'
    if shape.kind == "curve":
        start, control, end = shape.points
        d = f"M{_xy(start)}Q{_xy(control)} {_xy(end)}"
    else:
        d = "M" + "L".join(_xy(p) for p in shape.points)
    dashes = f' stroke-dasharray="{DASHES}"' if shape.dashed else ""
    return f'<path stroke="{shape.colour}"{dashes} d="{d}"/>'


def _circle(shape: Shape) -> str:
    cx, cy = _xy(shape.points[0]).split()
    paint = f'fill="{shape.colour}" stroke="none"' if shape.kind == "dot" else f'stroke="{shape.colour}"'
    return f'<circle cx="{cx}" cy="{cy}" r="{number(shape.radius)}" {paint}/>'


def to_svg(shapes: list[Shape]) -> str:
    body = "".join(_circle(s) if s.kind in ("dot", "ring") else _path(s) for s in shapes)
    return f"{HEADER}{body}</svg>\n"
