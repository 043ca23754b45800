"""The drawings: one parametric figure, posed for every exercise and movement check."""

import io
import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from drawings import PoseError, load_poses, read_pose, render
from drawings.scene import compose, grounded, start_angles
from drawings.skeleton import BASES, HALF_STROKE, SEGMENTS, STROKE, posed
from programs.library import LIBRARY_FILE, read_library
from programs.management.commands import draw_figures
from programs.management.commands.draw_figures import CHECK_POSES, check_illustrations, expected_drawings

EXERCISE_POSES = load_poses(LIBRARY_FILE, table="exercise", key="slug")
CHECK_POSE_TABLE = load_poses(CHECK_POSES)
POSES = {
    **{f"exercises/{name}": pose for name, pose in EXERCISE_POSES.items()},
    **{f"checks/{name}": pose for name, pose in CHECK_POSE_TABLE.items()},
}
SVG = "{http://www.w3.org/2000/svg}"
WIDTH, HEIGHT = 200, 120
PALETTE = {"#1a1a1a", "#6c757d", "#0b5d4b", "#6a9f92", "#b4bcc3", "#d3d9de", "#9ba4ab", "#eceff1"}
STALE_HINT = "run `python manage.py draw_figures`"

# A small library file for the loader's errors: one exercise, its pose given by the test.
EXERCISE = """
[[exercise]]
slug = "glute-bridge"
name = "Glute bridge"
kind = "strength"
region = "hips"
sets = 2
reps = 10
minutes = 3
steps = ["Lie on your back.", "Lift your hips."]
"""
LIBRARY = EXERCISE + "\n[exercise.pose]\n{pose}\n"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own drawing, not untrusted input)


def coordinates(svg: str) -> list[tuple[float, float, float]]:
    """Every point drawn, as x, y and how far the drawing reaches around it (a line's half
    width, a circle's radius and half its line)."""
    root = parse(svg)
    points = []
    for path in root.iter(f"{SVG}path"):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
        assert re.fullmatch(r"M[-\d. ]+([LQ][-\d. ]+)*Z?", path.get("d")), path.get("d")
        reach = 0.0 if path.get("stroke") == "none" else HALF_STROKE
        points += [(x, y, reach) for x, y in zip(numbers[::2], numbers[1::2], strict=True)]
    for circle in root.iter(f"{SVG}circle"):
        reach = float(circle.get("r")) + (HALF_STROKE if circle.get("stroke") != "none" else 0)
        points.append((float(circle.get("cx")), float(circle.get("cy")), reach))
    return points


# --- every exercise and check has its pose and its drawing ----------------------------


def test_every_exercise_in_the_library_has_a_pose_and_a_drawing():
    slugs = {row["slug"] for row in read_library()}
    assert set(EXERCISE_POSES) == slugs
    for slug in slugs:
        assert (draw_figures.EXERCISE_DIR / f"{slug}.svg").is_file(), slug


def test_every_check_illustration_in_the_questionnaire_has_a_pose_and_a_drawing():
    names = check_illustrations()
    assert len(names) == 7
    assert set(CHECK_POSE_TABLE) == names
    for name in names:
        assert (draw_figures.CHECK_DIR / f"{name}.svg").is_file(), name


def test_the_library_loader_accepts_the_pose_and_keeps_it_out_of_the_database_rows():
    rows = read_library()
    assert all("pose" not in row for row in rows)


# --- what a drawing is ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(POSES))
def test_each_drawing_is_well_formed_svg_drawn_inside_the_200_by_120_box(name):
    svg = render(POSES[name])
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 200 120"
    assert (root.get("aria-hidden"), root.get("focusable")) == ("true", "false")
    assert (root.get("stroke-linecap"), root.get("stroke-linejoin")) == ("round", "round")
    points = coordinates(svg)
    assert len(points) > 20
    for x, y, reach in points:
        assert reach <= x <= WIDTH - reach and reach <= y <= HEIGHT - reach, (name, x, y)


@pytest.mark.parametrize("name", sorted(POSES))
def test_each_drawing_has_one_line_weight_a_floor_and_only_our_colours(name):
    root = parse(render(POSES[name]))
    assert root.get("stroke-width") == str(STROKE)
    elements = [*root.iter(f"{SVG}path"), *root.iter(f"{SVG}circle")]
    assert not [e for e in elements if e.get("stroke-width")]
    colours = {e.get("stroke") for e in elements} | {e.get("fill") for e in elements}
    assert colours - {None, "none"} <= PALETTE
    floor = elements[0]
    assert re.fullmatch(r"M6 114L194 114", floor.get("d"))


@pytest.mark.parametrize("name", sorted(POSES))
def test_each_drawing_shows_the_moving_part_in_the_accent_colour(name):
    svg = render(POSES[name])
    assert "#0b5d4b" in svg


def test_a_drawing_with_a_start_position_shows_it_dashed_with_an_arrow():
    svg = render(EXERCISE_POSES["glute-bridge"])
    assert 'stroke-dasharray="4 5"' in svg
    assert re.search(r'<path stroke="#0b5d4b" d="M[-\d. ]+Q', svg)  # the arrow follows the hips' path


def test_the_same_pose_always_gives_the_same_bytes():
    for pose in POSES.values():
        assert render(pose) == render(pose)
    again = load_poses(LIBRARY_FILE, table="exercise", key="slug")
    assert render(again["cat-camel"]) == render(EXERCISE_POSES["cat-camel"])


def test_every_number_in_a_drawing_has_at_most_one_decimal():
    for name, pose in POSES.items():
        numbers = re.findall(r"-?\d+\.\d+", render(pose).replace('stroke-width="3.5"', ""))
        assert all(len(n.split(".")[1]) == 1 for n in numbers), name


# --- the figure -----------------------------------------------------------------------


def positions(pose):
    yield pose.end
    if pose.start is not None:
        yield start_angles(pose)


@pytest.mark.parametrize("name", sorted(POSES))
def test_the_figure_keeps_its_proportions_in_every_pose(name):
    pose = POSES[name]
    for angles in positions(pose):
        figure = posed(BASES[pose.base], angles, pose.rest_on)
        for segment, (first, second, size) in SEGMENTS.items():
            assert math.dist(figure.points[first], figure.points[second]) == pytest.approx(size), (name, segment)


def test_the_trunk_bends_without_getting_longer_or_shorter():
    straight = posed(BASES["standing"], {})
    rounded = posed(BASES["standing"], {"spine": 40})
    # The chord of a bent spine is shorter than the spine; the spine itself keeps its length.
    chord = math.dist(rounded.points["hips"], rounded.points["shoulders"])
    assert chord < math.dist(straight.points["hips"], straight.points["shoulders"]) == pytest.approx(25)
    assert chord == pytest.approx(25 * math.sin(math.radians(20)) / math.radians(20))


@pytest.mark.parametrize("name", sorted(POSES))
def test_nothing_floats_above_or_sinks_through_the_floor(name):
    pose = POSES[name]
    floor = 3.5 if pose.props.mat else 0.0
    for angles in positions(pose):
        figure = grounded(pose, angles)
        lowest = figure.lowest()
        if pose.props.step or pose.props.bench:
            assert lowest >= floor - 0.05, name  # raised: the feet may hang, not go through the floor
        else:
            assert lowest == pytest.approx(floor, abs=0.05), name
    assert min(s.extent()[1] for s in compose(pose)[1:]) == pytest.approx(0.0, abs=0.05)


# --- poses that cannot be drawn ---------------------------------------------------------


def test_a_pose_with_an_unknown_joint_gives_an_error_naming_the_exercise_and_the_joint(tmp_path):
    path = tmp_path / "exercises.toml"
    path.write_text(LIBRARY.format(pose='base = "lying_on_back"\nend = { hip = 40, nee = 90 }'), encoding="utf-8")
    with pytest.raises(PoseError, match=r"glute-bridge: unknown joint 'nee' in 'end'"):
        load_poses(path, table="exercise", key="slug")


def test_a_pose_with_an_unknown_base_gives_an_error_naming_the_exercise_and_the_bases(tmp_path):
    path = tmp_path / "exercises.toml"
    path.write_text(LIBRARY.format(pose='base = "floating"\nend = { hip = 40 }'), encoding="utf-8")
    with pytest.raises(PoseError, match=r"glute-bridge: unknown base 'floating' \(one of: standing, "):
        load_poses(path, table="exercise", key="slug")


@pytest.mark.parametrize(
    "pose, message",
    [
        ({"end": {}}, "the pose needs a base"),
        ({"base": "standing", "end": {"knee": "bent"}}, "end.knee must be an angle in degrees"),
        ({"base": "standing", "end": {"knee": "flat"}}, "end.knee must be an angle in degrees"),
        ({"base": "standing", "moving": ["tail"]}, "unknown moving part 'tail'"),
        ({"base": "standing", "arrow": ["elbow"]}, "arrow names an unknown point 'elbow'"),
        ({"base": "standing", "rest_on": ["near_hand"]}, "rest_on must be a list of 2 point names"),
        ({"base": "standing", "wall": "left"}, "unknown wall 'left'"),
        ({"base": "standing", "colour": "red"}, "unknown pose key 'colour'"),
        ({"base": "standing", "view_from_above": 90}, "view_from_above must be an angle from 0 to 60"),
    ],
)
def test_a_pose_that_cannot_be_drawn_is_refused_with_its_name_and_the_reason(pose, message):
    with pytest.raises(PoseError, match=re.escape(f"wall-check: {message}")):
        read_pose("wall-check", pose)


def test_a_figure_standing_on_a_step_must_not_go_through_the_floor():
    squatting = {"near_hip": 70, "near_knee": 110, "near_ankle": "flat"}  # the other leg hangs straight down
    pose = read_pose("heel-drops", {"base": "standing", "step": "near_toe", "end": squatting})
    with pytest.raises(PoseError, match="heel-drops: raised on the near_toe, the figure goes through the floor"):
        render(pose)


def test_a_library_exercise_without_a_pose_is_named_by_draw_figures(tmp_path):
    path = tmp_path / "exercises.toml"
    path.write_text(EXERCISE, encoding="utf-8")
    with pytest.raises(PoseError, match="glute-bridge: no pose for this exercise"):
        expected_drawings(library=path)


# --- the committed files and the command -------------------------------------------------


def test_the_committed_drawings_equal_their_poses():
    for path, text in expected_drawings().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} differs from its pose: {STALE_HINT}"
    out = io.StringIO()
    call_command("draw_figures", "--check", stdout=out)
    assert out.getvalue() == "All 57 drawings match their poses.\n"


def test_draw_figures_check_lists_the_stale_drawings_and_exits_1_then_drawing_fixes_them(tmp_path, monkeypatch):
    monkeypatch.setattr(draw_figures, "EXERCISE_DIR", tmp_path / "exercises")
    monkeypatch.setattr(draw_figures, "CHECK_DIR", tmp_path / "checks")
    with pytest.raises(CommandError) as error:
        call_command("draw_figures", "--check", stdout=io.StringIO())
    assert error.value.returncode == 1
    assert STALE_HINT in str(error.value)
    assert "glute-bridge.svg" in str(error.value) and "wall-check.svg" in str(error.value)
    assert not (tmp_path / "exercises").exists()  # --check writes nothing

    out = io.StringIO()
    call_command("draw_figures", stdout=out)
    assert out.getvalue() == "57 drawings: 57 written, 0 unchanged.\n"
    (tmp_path / "checks" / "wall-check.svg").write_text("<svg/>", encoding="utf-8")
    with pytest.raises(CommandError, match=r"(?s)differ.*checks/wall-check\.svg$"):
        call_command("draw_figures", "--check", stdout=io.StringIO())
    call_command("draw_figures", stdout=out)
    assert out.getvalue().endswith("57 drawings: 1 written, 56 unchanged.\n")


def test_draw_figures_writes_a_contact_sheet_of_every_drawing(tmp_path):
    sheet = tmp_path / "sheet.html"
    call_command("draw_figures", "--check", "--sheet", str(sheet), stdout=io.StringIO())
    html = sheet.read_text(encoding="utf-8")
    assert html.count("<svg ") == 57
    assert "exercises/glute-bridge" in html and "checks/knee-to-wall-check" in html
