"""Scenes for MoodPosts images: a place, weather, objects and characters with faces.

The image's sentiment is carried by content a CNN must find: the characters' facial
expressions (mouth curve, brows), which sit anywhere, at any size, on varied backgrounds,
and, as a weaker cue, the weather and the light. No single pixel or colour gives it away.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from mmcourse.synth.raster import Canvas

PLACES = ("beach", "park", "city", "mountains")
WEATHERS = ("sunny", "cloudy", "rainy")
OBJECTS = ("dog", "car", "tree", "balloon", "cake", "bicycle")
SHIRT_COLOURS = {
    "red": (205, 40, 40),
    "blue": (40, 80, 210),
    "green": (40, 160, 60),
    "yellow": (235, 200, 30),
    "purple": (130, 50, 170),
    "orange": (240, 130, 20),
}
SKIN_TONES = ((250, 215, 180), (225, 180, 140), (180, 130, 90), (120, 80, 55))
# Weather follows the image's mood only loosely: a cue, never the whole answer.
WEATHER_GIVEN_MOOD = {
    "positive": (0.7, 0.3, 0.0),
    "negative": (0.0, 0.3, 0.7),
    "neutral": (0.25, 0.5, 0.25),
    "mixed": (1 / 3, 1 / 3, 1 / 3),
}
SKY = {"sunny": (105, 170, 235), "cloudy": (165, 175, 188), "rainy": (92, 98, 112)}
LIGHT = {"sunny": 1.0, "cloudy": 0.92, "rainy": 0.78}
GROUND = {
    "beach": (226, 205, 150),
    "park": (92, 160, 80),
    "city": (142, 142, 146),
    "mountains": (118, 148, 98),
}


@dataclasses.dataclass(frozen=True)
class Character:
    colour: str
    expression: str  # "negative" | "neutral" | "positive"


@dataclasses.dataclass(frozen=True)
class Scene:
    place: str
    weather: str
    objects: tuple[str, ...]
    characters: tuple[Character, ...]


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def _jitter(rng, colour, amount=14.0):
    return tuple(float(c) + (rng.random() * 2 - 1) * amount for c in colour)


def sample_scene(
    rng: np.random.Generator, *, expressions: list[str], mood: str, num_objects: int | None = None
) -> Scene:
    """A scene whose characters show `expressions` (one per character).

    `mood` ("negative", "neutral", "positive" or "mixed") only steers the weather.
    """
    probabilities = WEATHER_GIVEN_MOOD[mood]
    u, weather, cumulative = rng.random(), WEATHERS[-1], 0.0
    for name, p in zip(WEATHERS, probabilities):
        cumulative += p
        if u < cumulative:
            weather = name
            break
    if num_objects is None:
        num_objects = 1 + int(rng.integers(2))
    objects = list(OBJECTS)
    chosen = [objects.pop(int(rng.integers(len(objects)))) for _ in range(num_objects)]
    colours = list(SHIRT_COLOURS)
    characters = tuple(
        Character(colours.pop(int(rng.integers(len(colours)))), e) for e in expressions
    )
    return Scene(_pick(rng, PLACES), weather, tuple(chosen), characters)


def render_scene(scene: Scene, rng: np.random.Generator, *, size: int = 64) -> np.ndarray:
    """Draw `scene` as a uint8 RGB array of shape (size, size, 3)."""
    canvas = Canvas(size)
    unit = size / 64.0
    horizon = size * (0.4 + 0.18 * rng.random())
    _draw_background(canvas, scene, rng, horizon, unit)
    items = [("character", c) for c in scene.characters] + [("object", o) for o in scene.objects]
    order = np.argsort(rng.random(len(items)), kind="stable")
    slot = size / len(items)
    for position, index in enumerate(order):
        kind, what = items[index]
        width = slot * (0.75 + 0.2 * rng.random())
        cx = slot * (position + 0.5) + (slot - width) / 2 * (rng.random() * 2 - 1)
        ground_y = horizon + 4 * unit + (size - 2 * unit - horizon - 4 * unit) * rng.random()
        if kind == "character":
            _draw_character(canvas, what, rng, cx, ground_y, width, unit)
        else:
            _draw_object(canvas, what, rng, cx, ground_y, width, unit)
    if scene.weather == "rainy":
        for _ in range(int(18 + 18 * rng.random())):
            x, y = rng.random() * size, rng.random() * size
            canvas.paint(
                canvas.segment(x, y, x - 1.5 * unit, y + 4 * unit, 0.8 * unit),
                (185, 195, 215),
                opacity=0.7,
            )
    canvas.scale(LIGHT[scene.weather] * (0.95 + 0.1 * rng.random()))
    return canvas.to_uint8()


def _draw_background(canvas, scene, rng, horizon, unit):
    size = canvas.size
    sky = _jitter(rng, SKY[scene.weather])
    top = tuple(0.8 * c for c in sky)
    canvas.vertical_gradient(0, horizon, top, sky)
    ground = _jitter(rng, GROUND[scene.place])
    canvas.vertical_gradient(horizon, size, ground, tuple(0.85 * c for c in ground))
    if scene.place == "beach":
        canvas.paint(
            canvas.rect(0, horizon, size, horizon + (3 + 4 * rng.random()) * unit),
            _jitter(rng, (55, 115, 185)),
        )
    elif scene.place == "city":
        x = -rng.random() * 6 * unit
        while x < size:
            width = (6 + 8 * rng.random()) * unit
            height = (8 + 16 * rng.random()) * unit
            shade = _jitter(rng, (105, 100, 110), 20)
            canvas.paint(canvas.rect(x, horizon - height, x + width - unit, horizon + 1), shade)
            x += width
    elif scene.place == "mountains":
        for _ in range(1 + int(rng.integers(3))):
            peak_x = rng.random() * size
            half, height = (10 + 12 * rng.random()) * unit, (8 + 14 * rng.random()) * unit
            base = ((peak_x - half, horizon + 1), (peak_x + half, horizon + 1))
            mountain = canvas.triangle(*base, (peak_x, horizon - height))
            canvas.paint(mountain, _jitter(rng, (120, 115, 140)))
            canvas.paint(
                canvas.triangle(
                    (peak_x - half * 0.3, horizon - height * 0.7),
                    (peak_x + half * 0.3, horizon - height * 0.7),
                    (peak_x, horizon - height),
                ),
                (240, 240, 245),
            )
    if scene.weather == "sunny":
        sun_x, sun_y = size * rng.random(), horizon * 0.5 * rng.random() + 4 * unit
        canvas.paint(canvas.disc(sun_x, sun_y, (3.5 + 3 * rng.random()) * unit), (255, 225, 70))
    num_clouds = {"sunny": int(rng.integers(2)), "cloudy": 2 + int(rng.integers(2)), "rainy": 3}
    colour = (95, 98, 108) if scene.weather == "rainy" else (236, 238, 242)
    for _ in range(num_clouds[scene.weather]):
        cx, cy = size * rng.random(), max(horizon * 0.45 * rng.random(), 5 * unit)
        r = (3 + 2.5 * rng.random()) * unit
        mask = np.maximum(canvas.disc(cx, cy, r), canvas.disc(cx + 1.2 * r, cy + 0.3 * r, 0.8 * r))
        mask = np.maximum(mask, canvas.disc(cx - 1.1 * r, cy + 0.35 * r, 0.7 * r))
        canvas.paint(mask, _jitter(rng, colour, 8))


def _draw_character(canvas, character, rng, cx, ground_y, width, unit):
    r = min((4.8 + 3.2 * rng.random()) * unit, width / 2.3)
    body_h = 1.7 * r
    canvas.paint(
        canvas.rect(cx - 0.85 * r, ground_y - body_h, cx + 0.85 * r, ground_y),
        SHIRT_COLOURS[character.colour],
    )
    hy = ground_y - body_h - 0.85 * r
    canvas.paint(canvas.disc(cx, hy, r), _pick(rng, SKIN_TONES))
    dark = (30, 25, 25)
    eye_r = max(0.55 * unit, 0.13 * r)
    for side in (-1, 1):
        canvas.paint(canvas.disc(cx + side * 0.38 * r, hy - 0.18 * r, eye_r), dark)
    curve = {"positive": 0.32, "neutral": 0.0, "negative": -0.32}[character.expression] * r
    mouth_y = hy + 0.45 * r - curve / 2
    points = [(cx + u * 0.5 * r, mouth_y + curve * (1 - u * u)) for u in np.linspace(-1, 1, 7)]
    canvas.paint(canvas.polyline(points, max(0.9 * unit, 0.16 * r)), dark)
    if character.expression == "negative":  # brows raised at the inner ends
        for side in (-1, 1):
            x_in, x_out = cx + side * 0.18 * r, cx + side * 0.6 * r
            canvas.paint(
                canvas.segment(
                    x_in, hy - 0.55 * r, x_out, hy - 0.38 * r, max(0.7 * unit, 0.1 * r)
                ),
                dark,
            )


def _draw_object(canvas, name, rng, cx, ground_y, width, unit):
    s = min((0.85 + 0.45 * rng.random()) * unit, width / 16.0)
    paint, c = canvas.paint, canvas
    if name == "dog":
        brown = _jitter(rng, (140, 90, 50))
        paint(c.ellipse(cx, ground_y - 4.5 * s, 5 * s, 2.6 * s), brown)
        paint(c.disc(cx + 5 * s, ground_y - 7 * s, 2.4 * s), brown)
        for dx in (-3.5, -1.5, 1.5, 3.5):
            paint(c.segment(cx + dx * s, ground_y - 4 * s, cx + dx * s, ground_y, 1.2 * s), brown)
        paint(c.segment(cx - 5 * s, ground_y - 5 * s, cx - 7 * s, ground_y - 8 * s, s), brown)
    elif name == "car":
        body = _jitter(rng, _pick(rng, ((200, 30, 30), (30, 60, 160), (230, 230, 230))), 10)
        paint(c.rect(cx - 7 * s, ground_y - 6 * s, cx + 7 * s, ground_y - 2 * s), body)
        paint(c.rect(cx - 4 * s, ground_y - 9 * s, cx + 3.5 * s, ground_y - 5.5 * s), body)
        paint(
            c.rect(cx - 3 * s, ground_y - 8.3 * s, cx + 2.5 * s, ground_y - 6 * s), (170, 210, 235)
        )
        for dx in (-4.2, 4.2):
            paint(c.disc(cx + dx * s, ground_y - 2 * s, 2 * s), (25, 25, 25))
    elif name == "tree":
        paint(c.rect(cx - 1.2 * s, ground_y - 9 * s, cx + 1.2 * s, ground_y), (110, 70, 35))
        paint(c.disc(cx, ground_y - 12 * s, 5.5 * s), _jitter(rng, (35, 115, 45)))
    elif name == "balloon":
        top = ground_y - 16 * s
        paint(c.segment(cx, top + 4 * s, cx + 1.5 * s, ground_y - 2 * s, 0.7 * s), (60, 60, 60))
        paint(c.ellipse(cx, top, 3.2 * s, 4 * s), _jitter(rng, (235, 90, 160)))
    elif name == "cake":
        paint(c.rect(cx - 5 * s, ground_y - 6 * s, cx + 5 * s, ground_y), (240, 170, 190))
        paint(
            c.rect(cx - 5 * s, ground_y - 7.5 * s, cx + 5 * s, ground_y - 5.5 * s), (250, 250, 250)
        )
        for dx in (-3, 0, 3):
            paint(
                c.segment(cx + dx * s, ground_y - 10 * s, cx + dx * s, ground_y - 7.5 * s, s),
                (250, 240, 120),
            )
            paint(c.disc(cx + dx * s, ground_y - 11 * s, 0.8 * s), (255, 140, 0))
    elif name == "bicycle":
        frame = _jitter(rng, (20, 130, 140), 20)
        for dx in (-4.5, 4.5):
            paint(c.ring(cx + dx * s, ground_y - 3.5 * s, 3.2 * s, 0.9 * s), (30, 30, 30))
        joints = [
            (cx - 4.5 * s, ground_y - 3.5 * s),
            (cx - 1 * s, ground_y - 8 * s),
            (cx + 3.5 * s, ground_y - 8 * s),
            (cx + 4.5 * s, ground_y - 3.5 * s),
            (cx, ground_y - 3.5 * s),
            (cx - 1 * s, ground_y - 8 * s),
        ]
        paint(c.polyline(joints, 0.9 * s), frame)
    else:
        raise ValueError(f"Unknown object. Received: name={name!r}")
