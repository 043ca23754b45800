"""Three-dimensional vectors and rotations, just enough to pose a stick figure.

World axes: x to the right of the picture, y up, z towards the viewer. The figure is
posed in 3D and drawn by dropping z (an orthographic view), so foreshortening comes free.
"""

import math

Vec = tuple[float, float, float]
Mat = tuple[Vec, Vec, Vec]  # rows

IDENTITY: Mat = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
X, Y, Z = 0, 1, 2


def add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def scale(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k, a[2] * k)


def length(a: Vec) -> float:
    return math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])


def apply(m: Mat, v: Vec) -> Vec:
    return tuple(row[0] * v[0] + row[1] * v[1] + row[2] * v[2] for row in m)  # type: ignore[return-value]


def matmul(a: Mat, b: Mat) -> Mat:
    cols = tuple(zip(*b, strict=True))
    return tuple(tuple(sum(x * y for x, y in zip(row, col, strict=True)) for col in cols) for row in a)  # type: ignore[return-value]


def chain(*matrices: Mat) -> Mat:
    result = IDENTITY
    for m in matrices:
        result = matmul(result, m)
    return result


def rotation(axis: int, degrees: float) -> Mat:
    """A right-handed rotation about the x, y or z axis (counter-clockwise seen from its tip)."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    if axis == X:
        return ((1.0, 0.0, 0.0), (0.0, c, -s), (0.0, s, c))
    if axis == Y:
        return ((c, 0.0, s), (0.0, 1.0, 0.0), (-s, 0.0, c))
    return ((c, -s, 0.0), (s, c, 0.0), (0.0, 0.0, 1.0))


def from_columns(a: Vec, b: Vec, c: Vec) -> Mat:
    """The matrix taking the local x, y and z axes to `a`, `b` and `c`."""
    return ((a[0], b[0], c[0]), (a[1], b[1], c[1]), (a[2], b[2], c[2]))


def column(m: Mat, index: int) -> Vec:
    return (m[0][index], m[1][index], m[2][index])


def bezier(p0: Vec, p1: Vec, p2: Vec, t: float) -> Vec:
    """A point of the quadratic Bézier curve p0, control p1, p2."""
    u = 1.0 - t
    return add(add(scale(p0, u * u), scale(p1, 2 * u * t)), scale(p2, t * t))
