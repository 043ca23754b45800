"""Laying out one drawing: the figure on the floor, its start position as a faint ghost,
the props it uses and a small arrow for the direction of the movement.

Coordinates here are the world's, in drawing units: x to the right, y up from the top of
the floor line (or of the mat), z towards the viewer; svg.py turns them into the picture.
"""

import math
from dataclasses import dataclass

from drawings.geometry import Vec, X, Y, Z
from drawings.poses import Pose, PoseError
from drawings.skeleton import BASES, HALF_STROKE, HEAD_RADIUS, LIMB_ANGLES, STROKE, Figure, full_angles, posed, radius

INK = "#1a1a1a"
FAR = "#6c757d"  # limbs on the far side
ACCENT = "#0b5d4b"  # the moving part
ACCENT_FAR = "#6a9f92"  # the moving part on the far side
GHOST = "#b4bcc3"  # the start position, dashed
GHOST_FILL = "#d3d9de"
PROP = "#9ba4ab"  # floor, wall, chair, step, roller, band
MAT_AREA = "#eceff1"  # a mat seen from above

BOX_WIDTH, BOX_HEIGHT = 200, 120
CENTRE = BOX_WIDTH / 2
MAT = STROKE  # a mat is one line thick
STEP_HEIGHT = 10.0
BENCH_HEIGHT = 30.0
SEAT_HEIGHT = 23.0
BACKREST = 24.0
WALL_TOP = 104.0
GAP = 26.0  # between two figures side by side (room for the arrow)
ARROW_OFFSET = 8.0
ARROW_HEAD = 5.0
MIN_ARROW = 11.0
# Points that may stay put between the start and the end (the first resting in both is used).
ANCHORS = ("far_heel", "near_heel", "far_toe", "near_toe", "far_knee", "near_knee", "hips", "head")


@dataclass(frozen=True)
class Shape:
    kind: str  # "line" (a polyline), "curve" (quadratic: start, control, end), "dot" (filled), "ring", "area"
    points: tuple[tuple[float, float], ...]
    colour: str
    depth: float = 0.0
    dashed: bool = False
    radius: float = 0.0

    def moved(self, dx: float, dy: float = 0.0) -> "Shape":
        points = tuple((x + dx, y + dy) for x, y in self.points)
        return Shape(self.kind, points, self.colour, self.depth, self.dashed, self.radius)

    def extent(self) -> tuple[float, float, float, float]:
        """Left, bottom, right, top of what is drawn (a line has a width, a dot a radius)."""
        if self.kind == "area":
            reach = 0.0
        elif self.radius:
            reach = self.radius + (HALF_STROKE if self.kind == "ring" else 0)
        else:
            reach = HALF_STROKE
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        if self.kind == "curve":  # the curve stays inside its control triangle, but not at the control
            xs, ys = xs[::2], ys[::2]
            xs += [_on_curve(self.points, t / 8)[0] for t in range(9)]
            ys += [_on_curve(self.points, t / 8)[1] for t in range(9)]
        return min(xs) - reach, min(ys) - reach, max(xs) + reach, max(ys) + reach


def _on_curve(points, t: float) -> tuple[float, float]:
    (x0, y0), (x1, y1), (x2, y2) = points
    u = 1 - t
    return u * u * x0 + 2 * u * t * x1 + t * t * x2, u * u * y0 + 2 * u * t * y1 + t * t * y2


def project(point: Vec, tilt: float) -> tuple[float, float]:
    """The point as seen from `tilt` degrees above the level (nearer points lower)."""
    if not tilt:
        return point[X], point[Y]
    a = math.radians(tilt)
    return point[X], point[Y] * math.cos(a) - point[Z] * math.sin(a)


def _depth(point: Vec, tilt: float) -> float:
    a = math.radians(tilt)
    return point[Y] * math.sin(a) + point[Z] * math.cos(a)


def _flat(points: tuple[Vec, ...], tilt: float = 0.0) -> tuple[tuple[float, float], ...]:
    return tuple(project(p, tilt) for p in points)


# --- the figure ---------------------------------------------------------------------


def _limb_geometry(p: dict[str, Vec], side: str) -> dict[str, tuple[str, tuple[Vec, ...]]]:
    return {
        f"{side}_upper_arm": ("line", (p[f"{side}_shoulder"], p[f"{side}_elbow"])),
        f"{side}_forearm": ("line", (p[f"{side}_elbow"], p[f"{side}_hand"])),
        f"{side}_thigh": ("line", (p[f"{side}_hip"], p[f"{side}_knee"])),
        f"{side}_shin": ("line", (p[f"{side}_knee"], p[f"{side}_ankle"])),
        f"{side}_foot": ("line", (p[f"{side}_heel"], p[f"{side}_toe"])),
    }


def geometry(figure: Figure) -> dict[str, tuple[str, tuple[Vec, ...]]]:
    """Each drawn element of the figure: its kind and its points."""
    p = figure.points
    result = {
        "spine": ("curve", (p["hips"], figure.spine_control, p["shoulders"])),
        "shoulder_bar": ("line", (p["near_shoulder"], p["shoulders"], p["far_shoulder"])),
        "hip_bar": ("line", (p["near_hip"], p["hips"], p["far_hip"])),
        "neck": ("line", (p["shoulders"], p["head"])),
        "head": ("dot", (p["head"],)),
    }
    result.update(_limb_geometry(p, "near"))
    result.update(_limb_geometry(p, "far"))
    return result


def _side(element: str) -> int:
    return 1 if element.startswith("near_") else -1 if element.startswith("far_") else 0


def _colour(element: str, figure: Figure, moving: frozenset[str]) -> str:
    far = _side(element) * figure.near_z < -0.3
    if element in moving:
        return ACCENT_FAR if far else ACCENT
    return FAR if far else INK


def _shape(kind: str, points: tuple[Vec, ...], colour: str, tilt: float, dashed: bool = False) -> Shape:
    depth = sum(_depth(p, tilt) for p in points) / len(points)
    size = HEAD_RADIUS if kind == "dot" else 0.0
    return Shape(kind, _flat(points, tilt), colour, round(depth, 3), dashed, size)


def _in_depth_order(shapes: list[tuple[Shape, int]]) -> list[Shape]:
    """Farthest first; at the same depth the far side, then the trunk, the head, the near side."""
    return [shape for shape, _ in sorted(shapes, key=lambda item: (item[0].depth, item[1]))]


def _rank(element: str) -> int:
    return {1: 3, -1: 0}.get(_side(element), 2 if element in ("neck", "head") else 1)


def figure_shapes(figure: Figure, moving: frozenset[str], tilt: float) -> list[Shape]:
    shapes = [
        (_shape(kind, points, _colour(name, figure, moving), tilt), _rank(name))
        for name, (kind, points) in geometry(figure).items()
    ]
    return _in_depth_order(shapes)


def ghost_shapes(start: Figure, end: Figure, tilt: float) -> list[Shape]:
    """The start position, only where it differs from the end position."""
    before, after = geometry(start), geometry(end)
    shapes = []
    for name, (kind, points) in before.items():
        pairs = zip(_flat(points, tilt), _flat(after[name][1], tilt), strict=True)
        if max(math.dist(a, b) for a, b in pairs) > 1.0:
            colour = GHOST_FILL if kind == "dot" else GHOST
            shapes.append((_shape(kind, points, colour, tilt, dashed=kind != "dot"), _rank(name)))
    return _in_depth_order(shapes)


# --- placing the figure -------------------------------------------------------------


def start_angles(pose: Pose) -> dict:
    """The end position's angles with the start's changes (a name for both sides replaces
    the end's one-side names)."""
    angles = dict(pose.end)
    for name, value in (pose.start or {}).items():
        if name in LIMB_ANGLES:
            angles.pop(f"near_{name}", None)
            angles.pop(f"far_{name}", None)
        angles[name] = value
    return angles


def _halfway(pose: Pose, start: dict) -> dict:
    """Every angle halfway between the start and the end (a kept-level ankle stays level)."""
    base = BASES[pose.base]
    before, after = full_angles(base, start), full_angles(base, pose.end)
    halfway = {}
    for name, value in before.items():
        numbers = all(isinstance(v, int | float) for v in (value, after[name]))
        halfway[name] = (value + after[name]) / 2 if numbers else after[name]
    return halfway


def _floor(pose: Pose) -> float:
    return MAT if pose.props.mat else 0.0


def _raised_on(pose: Pose) -> tuple[str, float] | None:
    """The point resting on a step or a bench, and its height, when the pose has one."""
    if pose.props.step:
        return pose.props.step, STEP_HEIGHT
    if pose.props.bench:
        return "hips", BENCH_HEIGHT
    return None


def grounded(pose: Pose, angles: dict) -> Figure:
    """The figure resting on the floor (on a mat, a step or a bench when the pose has one)."""
    figure = posed(BASES[pose.base], angles, pose.rest_on)
    floor = _floor(pose)
    raised = _raised_on(pose)
    if raised is None:
        return figure.moved(0.0, floor - figure.lowest())
    support, height = raised
    figure = figure.moved(0.0, floor + height - (figure.points[support][Y] - radius(support)))
    if figure.lowest() < floor - 0.05:
        raise PoseError(f"{pose.name}: raised on the {support}, the figure goes through the floor")
    return figure


def _rests(figure: Figure, point: str, floor: float) -> bool:
    return abs(figure.points[point][Y] - radius(point) - floor) < 0.6


def _anchor(pose: Pose, start: Figure, end: Figure) -> str:
    if pose.anchor:
        return pose.anchor
    floor = _floor(pose)
    resting = [p for p in ANCHORS if _rests(start, p, floor) and _rests(end, p, floor)]
    return resting[0] if resting else "hips"


# --- props --------------------------------------------------------------------------


def _extent(shapes: list[Shape]) -> tuple[float, float, float, float]:
    boxes = [s.extent() for s in shapes]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _line(*points: tuple[float, float], colour: str = PROP) -> Shape:
    return Shape("line", tuple(points), colour)


def _wall(where: str, figure: Figure, drawn: list[Shape]) -> Shape:
    left, _, right, _ = _extent(drawn)
    on_right = (where == "front") == (figure.facing > 0)
    x = right + HALF_STROKE if on_right else left - HALF_STROKE
    return _line((x, HALF_STROKE), (x, WALL_TOP))


def _backrest_top(figure: Figure, x: float, seat: float) -> float:
    """The backrest rises to meet a back leaning over it, or to its usual height."""
    samples = [figure.spine(t / 50) for t in range(51)]
    nearest = min(samples, key=lambda p: abs(p[X] - x))
    if abs(nearest[X] - x) < 2.0 and nearest[Y] > seat + 8:
        return nearest[Y] - STROKE
    return seat + BACKREST


def _chair(point: str, figure: Figure, floor: float) -> list[Shape]:
    """A side view of a chair: on its seat the hips or a heel, on its back a hand."""
    ahead = figure.facing
    p = figure.points[point]
    if point == "hips":
        seat, back, front = p[Y] - STROKE, p[X] - ahead * 9, p[X] + ahead * 9
        top = _backrest_top(figure, back, seat)
    elif point.endswith("hand"):
        seat, back = floor + SEAT_HEIGHT, p[X]
        front, top = back + ahead * 18, p[Y] - STROKE
    else:  # a foot on the seat: the chair faces the figure
        seat, front, back = p[Y] - radius(point) - HALF_STROKE, p[X] - ahead * 6, p[X] + ahead * 12
        top = seat + BACKREST
    return [
        _line((front, HALF_STROKE), (front, seat), (back, seat), (back, top)),
        _line((back, HALF_STROKE), (back, seat)),
    ]


def _roller(name: str, point: str, figure: Figure, floor: float) -> Shape:
    p = figure.points[point]
    size = (p[Y] - HALF_STROKE - floor) / 2 - HALF_STROKE
    if size < 2:
        raise PoseError(f"{name}: the {point} is too low for a foam roller under it")
    return Shape("ring", ((p[X], floor + HALF_STROKE + size),), PROP, radius=size)


def _step(point: str, figure: Figure) -> Shape:
    p = figure.points[point]
    away = p[X] - figure.points["hips"][X]
    out = (1 if away > 0 else -1) if abs(away) > 2 else figure.facing
    edge, far = p[X] - out * 4, p[X] + out * 24
    top = STEP_HEIGHT - HALF_STROKE
    return _line((edge, HALF_STROKE), (edge, top), (far, top), (far, HALF_STROKE))


def _bench(point: str, figure: Figure, drawn: list[Shape]) -> list[Shape]:
    """A bed or bench under the lying figure, its end under `point` (the legs hang off it)."""
    edge = figure.points[point][X]
    left, _, right, _ = _extent(drawn)
    end = left - 2 if edge > figure.points["hips"][X] else right + 2
    top = BENCH_HEIGHT - HALF_STROKE
    return [_line((edge, HALF_STROKE), (edge, top), (end, top), (end, HALF_STROKE))]


def prop_shapes(pose: Pose, figure: Figure, drawn: list[Shape]) -> list[Shape]:
    """The props behind the figure; `drawn` is every shape of the figure (with its ghost)."""
    props, floor = pose.props, _floor(pose)
    shapes = []
    if props.wall and pose.base == "standing_facing":  # a wall behind a figure facing us: its surface
        left, _, right, _ = _extent(drawn)
        corners = ((left - 8, 0.0), (right + 8, 0.0), (right + 8, WALL_TOP), (left - 8, WALL_TOP))
        shapes.append(Shape("area", corners, MAT_AREA, depth=-999.0))
    elif props.wall:
        shapes.append(_wall(props.wall, figure, drawn))
    for point in props.post:
        x = project(figure.points[point], pose.view_from_above)[0]
        shapes.append(_line((x, HALF_STROKE), (x, WALL_TOP)))
    if props.chair:
        shapes += _chair(props.chair, figure, floor)
    if props.bench:
        shapes += _bench(props.bench, figure, drawn)
    if props.roller:
        shapes.append(_roller(pose.name, props.roller, figure, floor))
    if props.step:
        shapes.append(_step(props.step, figure))
    if props.mat:
        shapes.append(_mat(figure, drawn, pose.view_from_above))
    return shapes


def _mat(figure: Figure, drawn: list[Shape], tilt: float) -> Shape:
    """A mat: a strip on the floor seen side on, or an area seen from above."""
    left, _, right, _ = _extent(drawn)
    if not tilt:
        return _line((left - 2, HALF_STROKE), (right + 2, HALF_STROKE), colour=GHOST)
    depths = [p[Z] for p in figure.points.values()]
    near, far = max(depths) + 4, min(depths) - 4
    corners = ((left - 2, 0.0, near), (right + 2, 0.0, near), (right + 2, 0.0, far), (left - 2, 0.0, far))
    return Shape("area", _flat(corners, tilt), MAT_AREA, depth=-999.0)


def band_shapes(pose: Pose, figure: Figure, dashed: bool = False) -> list[Shape]:
    if not pose.props.band:
        return []
    ends = tuple(figure.points[p] for p in pose.props.band)
    return [Shape("line", _flat(ends, pose.view_from_above), GHOST if dashed else PROP, dashed=dashed)]


# --- arrows -------------------------------------------------------------------------


def _unit(dx: float, dy: float) -> tuple[float, float]:
    size = math.hypot(dx, dy)
    return dx / size, dy / size


def _head(tip: tuple[float, float], dx: float, dy: float) -> Shape:
    """An arrowhead at `tip` pointing along the unit vector dx, dy."""
    c, s = math.cos(math.radians(35)), math.sin(math.radians(35))
    x, y = tip
    left = (x - ARROW_HEAD * (dx * c - dy * s), y - ARROW_HEAD * (dy * c + dx * s))
    right = (x - ARROW_HEAD * (dx * c + dy * s), y - ARROW_HEAD * (dy * c - dx * s))
    return _line(left, tip, right, colour=ACCENT)


def arrow(tail: tuple[float, float], tip: tuple[float, float], both_ways: bool = False) -> list[Shape]:
    """A small straight arrow from `tail` to `tip`."""
    ux, uy = _unit(tip[0] - tail[0], tip[1] - tail[1])
    shapes = [_line(tail, tip, colour=ACCENT), _head(tip, ux, uy)]
    return shapes + [_head(tail, -ux, -uy)] if both_ways else shapes


def _blossom(p0, p1, p2, a: float, b: float) -> tuple[float, float]:
    """The polar form of a quadratic Bézier curve: f(a, a) is its point at a."""
    w0, w1, w2 = (1 - a) * (1 - b), (1 - a) * b + a * (1 - b), a * b
    return (w0 * p0[0] + w1 * p1[0] + w2 * p2[0], w0 * p0[1] + w1 * p1[1] + w2 * p2[1])


def movement_arrow(point: str, path: tuple[Figure, Figure, Figure], tilt: float) -> list[Shape]:
    """An arrow following the path of `point` through the start, halfway and end positions,
    beside it on the side away from the body: straight for a slide, curved for a swing."""
    start, halfway, end = (project(f.points[point], tilt) for f in path)
    if math.dist(start, end) < 0.5:
        return []
    control = (2 * halfway[0] - (start[0] + end[0]) / 2, 2 * halfway[1] - (start[1] + end[1]) / 2)
    ux, uy = _unit(end[0] - start[0], end[1] - start[1])
    nx, ny = -uy, ux
    body = _flat(tuple(path[2].points.values()), tilt)
    cx, cy = sum(p[0] for p in body) / len(body), sum(p[1] for p in body) / len(body)
    if (halfway[0] - cx) * nx + (halfway[1] - cy) * ny < 0:
        nx, ny = -nx, -ny
    # The middle of the path drawn beside it (not in the floor); a short path gets an arrow
    # a little longer than itself, straight along it.
    if math.dist(start, end) < MIN_ARROW:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        half = MIN_ARROW / 2
        middle = ((mx - ux * half, my - uy * half), (mx, my), (mx + ux * half, my + uy * half))
    else:
        share = min(0.5, max(0.3, 6.0 / math.dist(start, end)))
        a, b = 0.5 - share, 0.5 + share
        middle = tuple(_blossom(start, control, end, *ends) for ends in ((a, a), (a, b), (b, b)))
    offset = ARROW_OFFSET + radius(point) - HALF_STROKE  # clear of the head's round
    curve = tuple((x + nx * offset, y + ny * offset) for x, y in middle)
    if min(y for _, y in curve) < STROKE:
        curve = tuple((x - nx * offset, y - ny * offset) for x, y in middle)
    hx, hy = _unit(curve[2][0] - curve[1][0], curve[2][1] - curve[1][1])
    return [Shape("curve", curve, ACCENT), _head(curve[2], hx, hy)]


# --- the whole drawing ---------------------------------------------------------------


def _one_figure(pose: Pose, figure: Figure, ghost: Figure | None) -> list[Shape]:
    tilt = pose.view_from_above
    body = figure_shapes(figure, pose.moving, tilt)
    behind = ghost_shapes(ghost, figure, tilt) + band_shapes(pose, ghost, dashed=True) if ghost else []
    props = prop_shapes(pose, figure, behind + body)
    return props + behind + body + band_shapes(pose, figure)


def _overlay(pose: Pose) -> list[Shape]:
    end = grounded(pose, pose.end)
    if pose.start is None:
        return _one_figure(pose, end, None)
    angles = start_angles(pose)
    start = grounded(pose, angles)
    halfway = grounded(pose, _halfway(pose, angles))
    anchor = _anchor(pose, start, end)
    start = start.moved(end.points[anchor][X] - start.points[anchor][X], 0.0)
    halfway = halfway.moved(end.points[anchor][X] - halfway.points[anchor][X], 0.0)
    path = (start, halfway, end)
    arrows = [shape for point in pose.arrow for shape in movement_arrow(point, path, pose.view_from_above)]
    return _one_figure(pose, end, start) + arrows


def _shifted(shapes: list[Shape], dx: float, dy: float = 0.0) -> list[Shape]:
    return [s.moved(dx, dy) for s in shapes]


def _side_by_side(pose: Pose) -> list[Shape]:
    """The start and the end as two figures, with a two-way arrow between them."""
    start = grounded(pose, start_angles(pose))
    end = grounded(pose, pose.end)
    left, right = _one_figure(pose, start, None), _one_figure(pose, end, None)
    l_box, r_box = _extent(left), _extent(right)
    width = (l_box[2] - l_box[0]) + GAP + (r_box[2] - r_box[0])
    left = _shifted(left, -width / 2 - l_box[0])
    right = _shifted(right, width / 2 - r_box[2])
    height = (start.points["hips"][Y] + end.points["hips"][Y]) / 2
    middle = (_extent(left)[2] + _extent(right)[0]) / 2
    between = arrow((middle - GAP / 2 + 6, height), (middle + GAP / 2 - 6, height), both_ways=True)
    return left + right + between


def compose(pose: Pose) -> list[Shape]:
    """Every shape of the drawing in drawing order, centred on the box, floor first."""
    if pose.layout == "side_by_side" and pose.start is not None:
        shapes = _side_by_side(pose)
    else:
        shapes = _overlay(pose)
    left, bottom, right, _ = _extent(shapes)
    # Seen from above, what is nearest the viewer is lowest: that rests on the floor line.
    shapes = _shifted(shapes, CENTRE - (left + right) / 2, -bottom)
    floor = _line((6.0, -HALF_STROKE), (BOX_WIDTH - 6.0, -HALF_STROKE))
    return [floor, *shapes]
