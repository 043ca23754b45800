"""A pose as written in a data file, checked: every name known, every angle a number."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from drawings.skeleton import BASES, FLAT, JOINTS, POINTS, SIDES

# The parts that can be drawn in the accent colour as the moving part.
ELEMENTS = (
    "spine", "shoulder_bar", "hip_bar", "neck", "head",
    *(f"{s}_{limb}" for s, _ in SIDES for limb in ("upper_arm", "forearm", "thigh", "shin", "foot")),
)  # fmt: skip
PARTS: dict[str, frozenset[str]] = {
    **{name: frozenset({name}) for name in ELEMENTS},
    "trunk": frozenset({"spine", "shoulder_bar", "hip_bar"}),
    "head": frozenset({"neck", "head"}),
    **{f"{s}_arm": frozenset({f"{s}_upper_arm", f"{s}_forearm"}) for s, _ in SIDES},
    **{f"{s}_leg": frozenset({f"{s}_thigh", f"{s}_shin", f"{s}_foot"}) for s, _ in SIDES},
    "arms": frozenset({f"{s}_{limb}" for s, _ in SIDES for limb in ("upper_arm", "forearm")}),
    "legs": frozenset({f"{s}_{limb}" for s, _ in SIDES for limb in ("thigh", "shin", "foot")}),
}
LAYOUTS = ("overlay", "side_by_side")
WALLS = ("front", "behind")
POSE_KEYS = frozenset(
    {"base", "end", "start", "moving", "arrow", "anchor", "rest_on", "layout", "view_from_above"}
    | {"mat", "wall", "chair", "bench", "band", "roller", "step", "post"}
)


class PoseError(ValueError):
    """A pose that cannot be drawn; the message names the drawing and the problem."""


@dataclass(frozen=True)
class Props:
    mat: bool = False
    wall: str = ""  # "front" or "behind" the figure, touching it
    chair: str = ""  # the point resting on a chair: hips on the seat, a heel on the seat, a hand on the back
    bench: str = ""  # lying on a bed or bench (hips on it), whose end is under this point
    band: tuple[str, ...] = ()  # two points joined by an exercise band
    roller: str = ""  # the point resting on a foam roller
    step: str = ""  # the point standing on the edge of a step
    post: tuple[str, ...] = ()  # door frames or wall edges, upright through these points


@dataclass(frozen=True)
class Pose:
    name: str
    base: str
    end: dict
    start: dict | None = None
    moving: frozenset[str] = frozenset()
    arrow: tuple[str, ...] = ()
    anchor: str = ""
    rest_on: tuple[str, str] | None = None
    layout: str = "overlay"
    view_from_above: float = 0.0  # degrees the viewer looks down on the figure (0: level)
    props: Props = field(default_factory=Props)


def _angles(name: str, where: str, value) -> dict:
    if not isinstance(value, dict):
        raise PoseError(f"{name}: '{where}' must be a table of joint angles")
    unknown = sorted(set(value) - JOINTS)
    if unknown:
        raise PoseError(f"{name}: unknown joint {', '.join(repr(u) for u in unknown)} in '{where}'")
    for joint, angle in value.items():
        is_number = isinstance(angle, int | float) and not isinstance(angle, bool)
        if not is_number and not (angle == FLAT and joint.endswith("ankle")):
            raise PoseError(f"{name}: {where}.{joint} must be an angle in degrees, not {angle!r}")
    return dict(value)


def _point(name: str, key: str, value) -> str:
    if value not in POINTS:
        raise PoseError(f"{name}: {key} names an unknown point {value!r}")
    return value


def _points(name: str, key: str, value, count: int) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or (count and len(value) != count):
        raise PoseError(f"{name}: {key} must be a list of {count or 'some'} point names")
    return tuple(_point(name, key, v) for v in value)


def _choice(name: str, key: str, value, allowed) -> str:
    if value not in allowed:
        raise PoseError(f"{name}: unknown {key} {value!r} (one of: {', '.join(allowed)})")
    return value


def _props(name: str, data: dict) -> Props:
    mat = data.get("mat", False)
    if not isinstance(mat, bool):
        raise PoseError(f"{name}: mat must be true or false")
    return Props(
        mat=mat,
        wall=_choice(name, "wall", data["wall"], WALLS) if "wall" in data else "",
        chair=_point(name, "chair", data["chair"]) if "chair" in data else "",
        bench=_point(name, "bench", data["bench"]) if "bench" in data else "",
        band=_points(name, "band", data["band"], 2) if "band" in data else (),
        roller=_point(name, "roller", data["roller"]) if "roller" in data else "",
        step=_point(name, "step", data["step"]) if "step" in data else "",
        post=_points(name, "post", data["post"], 0) if "post" in data else (),
    )


def _view(name: str, value) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 60:
        raise PoseError(f"{name}: view_from_above must be an angle from 0 to 60 degrees")
    return float(value)


def _moving(name: str, value) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise PoseError(f"{name}: moving must be a list of body parts")
    unknown = [v for v in value if v not in PARTS]
    if unknown:
        raise PoseError(f"{name}: unknown moving part {unknown[0]!r} (one of: {', '.join(sorted(PARTS))})")
    return frozenset().union(*(PARTS[v] for v in value))


def read_pose(name: str, data) -> Pose:
    """The pose `data` (a table from a data file) checked; PoseError names `name` and the problem."""
    if not isinstance(data, dict):
        raise PoseError(f"{name}: the pose must be a table")
    unknown = sorted(set(data) - POSE_KEYS)
    if unknown:
        raise PoseError(f"{name}: unknown pose key {', '.join(repr(u) for u in unknown)}")
    if "base" not in data:
        raise PoseError(f"{name}: the pose needs a base (one of: {', '.join(BASES)})")
    rest_on = data.get("rest_on")
    return Pose(
        name=name,
        base=_choice(name, "base", data["base"], tuple(BASES)),
        end=_angles(name, "end", data.get("end", {})),
        start=_angles(name, "start", data["start"]) if "start" in data else None,
        moving=_moving(name, data.get("moving", [])),
        arrow=_points(name, "arrow", data.get("arrow", []), 0),
        anchor=_point(name, "anchor", data["anchor"]) if "anchor" in data else "",
        rest_on=_points(name, "rest_on", rest_on, 2) if rest_on is not None else None,  # type: ignore[arg-type]
        layout=_choice(name, "layout", data.get("layout", "overlay"), LAYOUTS),
        view_from_above=_view(name, data.get("view_from_above", 0)),
        props=_props(name, data),
    )


def load_poses(path: Path, table: str | None = None, key: str = "slug") -> dict[str, Pose]:
    """The poses of a data file, by name: either the `pose` of each entry of the array of
    tables `table` (named by its `key`), or, without `table`, each top-level table by its
    name. An entry without a pose is left out (the caller says whether that is allowed)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        if table is None:
            return {name: read_pose(name, value) for name, value in data.items()}
        return {entry[key]: read_pose(entry[key], entry["pose"]) for entry in data.get(table, []) if "pose" in entry}
    except PoseError as exc:
        raise PoseError(f"{path.name}: {exc}") from exc
