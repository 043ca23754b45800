"""The figure: fixed proportions, posed by joint angles in degrees.

One adult figure, about 88 units tall standing (the drawing box is 200 x 120), with
lengths in the usual ratios of body height. The body's own axes: forward (the way the
chest faces), up (from the hips to the head) and out to the near side (towards the
viewer in a side view). Every angle is measured from standing upright with the arms by
the sides, as a clinician measures a joint; see the comment at the top of
programs/exercises.toml for the signs.
"""

import math
from dataclasses import dataclass, field

from drawings.geometry import Mat, Vec, X, Y, Z, add, apply, bezier, chain, column, from_columns, rotation

# Lengths, in drawing units (the figure stands about 88 tall).
HEAD_RADIUS = 6.0
NECK = 10.0  # base of the neck (between the shoulders) to the centre of the head
TRUNK = 25.0  # hip joints to shoulder joints, along the spine
SHOULDER_HALF_WIDTH = 9.0
SHOULDER_FORWARD = 1.5  # the shoulder joints sit a little in front of and below the base of the neck
SHOULDER_DROP = 2.5
HIP_HALF_WIDTH = 4.5
HIP_BACK = 3.0  # the base of the spine sits a little behind the hip joints
UPPER_ARM = 15.5
FOREARM = 14.5  # elbow to the middle of the hand
THIGH = 21.5
SHIN = 21.5
ANKLE_HEIGHT = 2.0  # ankle joint above the sole
HEEL = 2.5  # heel behind the ankle
TOE = 10.0  # toes in front of the ankle

STROKE = 3.5  # one line weight for everything drawn
HALF_STROKE = STROKE / 2

SIDES = (("near", 1), ("far", -1))
LIMB_ANGLES = (
    "hip", "hip_abduction", "hip_rotation", "knee", "ankle",
    "shoulder", "shoulder_abduction", "shoulder_rotation", "elbow",
)  # fmt: skip
BODY_ANGLES = ("spine", "spine_side_bend", "spine_rotation", "neck", "pitch", "side_lean", "roll", "turn")
# Every joint a pose may name: the limb angles for both sides ("hip") or one ("near_hip").
JOINTS = frozenset({*BODY_ANGLES, *LIMB_ANGLES, *(f"{side}_{name}" for side, _ in SIDES for name in LIMB_ANGLES)})
LIMB_POINTS = ("shoulder", "elbow", "hand", "hip", "knee", "ankle", "heel", "toe")
POINTS = frozenset(
    {"hips", "lower_back", "upper_back", "shoulders", "head", *(f"{s}_{p}" for s, _ in SIDES for p in LIMB_POINTS)}
)
FLAT = "flat"  # an ankle angle that keeps the sole level with the floor


def _orientation(forward: Vec, up: Vec, near: Vec) -> Mat:
    return from_columns(forward, up, near)


@dataclass(frozen=True)
class Base:
    """Where the body is before the angles move it: its orientation in the picture and the
    angles it starts from (a pose's own angles replace these)."""

    orientation: Mat
    defaults: dict = field(default_factory=dict)


# Side views face right; lying figures have the head on the left. "Near" is the side
# towards the viewer; lying on one side, it is the upper side.
UPRIGHT = _orientation((1, 0, 0), (0, 1, 0), (0, 0, 1))
BASES = {
    "standing": Base(UPRIGHT),
    "standing_facing": Base(_orientation((0, 0, 1), (0, 1, 0), (1, 0, 0))),  # a front view
    "sitting": Base(UPRIGHT, {"hip": 90, "knee": 90, "ankle": FLAT}),
    "kneeling": Base(UPRIGHT, {"knee": 90, "ankle": -90}),
    "half_kneeling": Base(
        UPRIGHT,
        {"near_hip": 90, "near_knee": 90, "near_ankle": FLAT, "far_hip": -10, "far_knee": 100, "far_ankle": -60},
    ),
    "quadruped": Base(UPRIGHT, {"pitch": 90, "hip": 90, "knee": 90, "shoulder": 105, "elbow": 15, "ankle": -70}),
    # Lying, the head rests on the floor with the neck a little bent (the head is thicker than the line of the back).
    "lying_on_back": Base(_orientation((0, 1, 0), (-1, 0, 0), (0, 0, 1)), {"neck": 25}),
    "lying_on_front": Base(_orientation((0, -1, 0), (-1, 0, 0), (0, 0, 1)), {"neck": -25, "ankle": -90}),
    "lying_on_side": Base(_orientation((0, 0, 1), (-1, 0, 0), (0, 1, 0))),  # seen from the front
}


def full_angles(base: Base, angles: dict) -> dict:
    """Every joint's angle: zero, then the base's, then the pose's; a name without a side
    sets both sides, a name with one ("near_knee") wins over it."""
    result: dict = {name: 0.0 for name in BODY_ANGLES}
    result.update({f"{side}_{name}": 0.0 for side, _ in SIDES for name in LIMB_ANGLES})
    for given in (base.defaults, angles):
        for name, value in sorted(given.items(), key=lambda item: item[0].startswith(("near_", "far_"))):
            if name in LIMB_ANGLES:
                result.update({f"{side}_{name}": value for side, _ in SIDES})
            else:
                result[name] = value
    return result


def axis_rotation(axis: Vec, degrees: float) -> Mat:
    """A rotation about any unit axis (Rodrigues)."""
    x, y, z = axis
    a = math.radians(degrees)
    c, s, t = math.cos(a), math.sin(a), 1 - math.cos(a)
    return (
        (t * x * x + c, t * x * y - s * z, t * x * z + s * y),
        (t * x * y + s * z, t * y * y + c, t * y * z - s * x),
        (t * x * z - s * y, t * y * z + s * x, t * z * z + c),
    )


@dataclass(frozen=True)
class Figure:
    """A posed figure: named points in world coordinates (y up, z towards the viewer)."""

    points: dict[str, Vec]
    spine_control: Vec
    near_z: float  # how much the body's near side faces the viewer (1 in a side view)
    facing: int  # 1 when the chest (or, lying face down, the head) is to the right

    def moved(self, dx: float, dy: float) -> "Figure":
        shift = (dx, dy, 0.0)
        points = {k: add(v, shift) for k, v in self.points.items()}
        return Figure(points, add(self.spine_control, shift), self.near_z, self.facing)

    def spine(self, t: float) -> Vec:
        return bezier(self.points["hips"], self.spine_control, self.points["shoulders"], t)

    def lowest(self) -> float:
        """The height of the lowest drawn edge (lines have a width, the head a radius)."""
        heights = [p[Y] - HALF_STROKE for name, p in self.points.items() if name != "head"]
        heights += [self.spine(t / 10)[Y] - HALF_STROKE for t in range(11)]
        return min(min(heights), self.points["head"][Y] - HEAD_RADIUS)


def radius(point: str) -> float:
    return HEAD_RADIUS if point == "head" else HALF_STROKE


def _trunk(body: Mat, a: dict) -> tuple[dict[str, Vec], Mat, Vec]:
    """The spine bends as an arc of constant length; flexion rounds it forwards, side bend
    curves it towards the near side, rotation turns the chest."""
    flex, bend = float(a["spine"]), float(a["spine_side_bend"])
    total = math.hypot(flex, bend)
    axis = (bend / total, 0.0, -flex / total) if total else (0.0, 0.0, 1.0)
    half_angle = math.radians(total / 2)
    chord = TRUNK * (math.sin(half_angle) / half_angle if half_angle else 1.0)
    top = apply(chain(body, axis_rotation(axis, total / 2)), (0.0, chord, 0.0))
    control = apply(body, (0.0, chord / 2 / math.cos(half_angle), 0.0))
    thorax = chain(body, axis_rotation(axis, total), rotation(Y, -float(a["spine_rotation"])))
    head = add(top, apply(chain(thorax, rotation(Z, -float(a["neck"]))), (0.0, NECK, 0.0)))
    points = {"hips": (0.0, 0.0, 0.0), "shoulders": top, "head": head}
    points["lower_back"] = bezier(points["hips"], control, top, 0.35)
    points["upper_back"] = bezier(points["hips"], control, top, 0.7)
    return points, thorax, control


def _limb_frame(parent: Mat, s: int, lift: float, abduction: float, rotation_out: float) -> Mat:
    """The limb turned outwards about its length, moved away from the midline, then lifted
    forwards: so a lifted limb moved "away from the midline" swings out sideways (a knee
    opening in a clamshell, arms opening in a band pull-apart)."""
    return chain(parent, rotation(Z, lift), rotation(X, -s * abduction), rotation(Y, -s * rotation_out))


def _ankle(value, shin: Mat) -> float:
    if value != FLAT:
        return float(value)
    forward, up = column(shin, 0), column(shin, 1)
    if abs(up[Y]) < 1e-9:
        return 0.0
    return math.degrees(math.atan(-forward[Y] / up[Y]))


def _leg(body: Mat, a: dict, side: str, s: int) -> dict[str, Vec]:
    hip = apply(body, (HIP_BACK, 0.0, s * HIP_HALF_WIDTH))
    thigh = _limb_frame(body, s, a[f"{side}_hip"], a[f"{side}_hip_abduction"], a[f"{side}_hip_rotation"])
    knee = add(hip, apply(thigh, (0.0, -THIGH, 0.0)))
    shin = chain(thigh, rotation(Z, -float(a[f"{side}_knee"])))
    ankle = add(knee, apply(shin, (0.0, -SHIN, 0.0)))
    foot = chain(shin, rotation(Z, _ankle(a[f"{side}_ankle"], shin)))
    return {
        f"{side}_hip": hip,
        f"{side}_knee": knee,
        f"{side}_ankle": ankle,
        f"{side}_heel": add(ankle, apply(foot, (-HEEL, -ANKLE_HEIGHT, 0.0))),
        f"{side}_toe": add(ankle, apply(foot, (TOE, -ANKLE_HEIGHT, 0.0))),
    }


def _arm(thorax: Mat, top: Vec, a: dict, side: str, s: int) -> dict[str, Vec]:
    shoulder = add(top, apply(thorax, (SHOULDER_FORWARD, -SHOULDER_DROP, s * SHOULDER_HALF_WIDTH)))
    upper = _limb_frame(
        thorax, s, a[f"{side}_shoulder"], a[f"{side}_shoulder_abduction"], a[f"{side}_shoulder_rotation"]
    )
    elbow = add(shoulder, apply(upper, (0.0, -UPPER_ARM, 0.0)))
    hand = add(elbow, apply(chain(upper, rotation(Z, float(a[f"{side}_elbow"]))), (0.0, -FOREARM, 0.0)))
    return {f"{side}_shoulder": shoulder, f"{side}_elbow": elbow, f"{side}_hand": hand}


def build(base: Base, angles: dict, tilt: float = 0.0) -> Figure:
    """The figure posed by `angles` (already complete, see full_angles), turned in the
    picture by `tilt` degrees (counter-clockwise), with the middle of the hips at 0, 0, 0."""
    a = angles
    body = chain(
        rotation(Y, -float(a["turn"])),
        rotation(Z, tilt),
        base.orientation,
        rotation(Z, -float(a["pitch"])),
        rotation(X, float(a["side_lean"])),
        rotation(Y, -float(a["roll"])),
    )
    points, thorax, control = _trunk(body, a)
    for side, s in SIDES:
        points.update(_leg(body, a, side, s))
        points.update(_arm(thorax, points["shoulders"], a, side, s))
    forward, up = apply(body, (1.0, 0.0, 0.0))[X], apply(body, (0.0, 1.0, 0.0))[X]
    leading = forward if abs(forward) > 0.3 else up  # the head's side when the chest faces the floor
    facing = -1 if leading < -0.3 else 1
    return Figure(points, control, apply(body, (0.0, 0.0, 1.0))[Z], facing)


def _levelling(figure: Figure, first: str, second: str) -> float:
    """The turn (degrees) that brings the lowest edges of two points to the same height."""
    a, b = figure.points[first], figure.points[second]
    dx, dy = b[X] - a[X], b[Y] - a[Y]
    distance = math.hypot(dx, dy)
    if distance < 1e-6:
        return 0.0
    target = math.asin(max(-1.0, min(1.0, (radius(second) - radius(first)) / distance)))
    if dx < 0:
        target = math.pi - target
    change = math.degrees(target - math.atan2(dy, dx))
    return (change + 180.0) % 360.0 - 180.0


def posed(base: Base, angles: dict, rest_on: tuple[str, str] | None = None) -> Figure:
    """The figure posed and, when `rest_on` names two points, turned so both rest level
    (both feet and shoulders on the floor in a bridge, forearms and toes in a plank)."""
    complete = full_angles(base, angles)
    # Turning about the upright axis changes no height: level the figure unturned.
    unturned = {**complete, "turn": 0.0}
    tilt = 0.0
    if rest_on:
        for _ in range(8):  # the feet may be kept level with the floor: settle in a few steps
            change = _levelling(build(base, unturned, tilt), *rest_on)
            tilt += change
            if abs(change) < 1e-6:
                break
    return build(base, complete, tilt)


# The lengths that never change, whatever the pose (checked by the tests).
SEGMENTS = {
    "neck": ("shoulders", "head", NECK),
    **{f"{s}_upper_arm": (f"{s}_shoulder", f"{s}_elbow", UPPER_ARM) for s, _ in SIDES},
    **{f"{s}_forearm": (f"{s}_elbow", f"{s}_hand", FOREARM) for s, _ in SIDES},
    **{f"{s}_thigh": (f"{s}_hip", f"{s}_knee", THIGH) for s, _ in SIDES},
    **{f"{s}_shin": (f"{s}_knee", f"{s}_ankle", SHIN) for s, _ in SIDES},
    **{f"{s}_foot": (f"{s}_heel", f"{s}_toe", HEEL + TOE) for s, _ in SIDES},
    "shoulder_width": ("near_shoulder", "far_shoulder", 2 * SHOULDER_HALF_WIDTH),
    "collar_bone": ("shoulders", "near_shoulder", math.hypot(SHOULDER_FORWARD, SHOULDER_DROP, SHOULDER_HALF_WIDTH)),
    "hip_width": ("near_hip", "far_hip", 2 * HIP_HALF_WIDTH),
    "pelvis": ("hips", "near_hip", math.hypot(HIP_BACK, HIP_HALF_WIDTH)),
}
