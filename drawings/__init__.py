"""Our exercise drawings, made from one parametric figure (no Django here).

A pose (joint angles in degrees, a base position, props and the moving parts, as written
in programs/exercises.toml and assessments/check_poses.toml) becomes an SVG line drawing:

    >>> from drawings import read_pose, render
    >>> svg = render(read_pose("glute-bridge", {"base": "lying_on_back", "end": {"hip": 40, "knee": 90}}))
"""

from drawings.poses import Pose, PoseError, load_poses, read_pose
from drawings.scene import compose
from drawings.svg import to_svg


def render(pose: Pose) -> str:
    """The drawing of `pose`: an SVG document for a 200 x 120 box. The same pose always
    gives the same text, byte for byte. Raises PoseError when it does not fit the box."""
    return to_svg(compose(pose))


__all__ = ["Pose", "PoseError", "load_poses", "read_pose", "render"]
