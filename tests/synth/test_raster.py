import numpy as np
import pytest

from mmcourse.synth.raster import Canvas


def test_shape_coverage_matches_its_area():
    canvas = Canvas(64)
    assert canvas.disc(32, 32, 10).sum() == pytest.approx(np.pi * 100, rel=0.01)
    assert canvas.rect(10, 10, 30, 20).sum() == pytest.approx(200, rel=0.01)
    assert canvas.triangle((10, 50), (50, 50), (10, 10)).sum() == pytest.approx(800, rel=0.02)
    assert canvas.ring(32, 32, 10, 2).sum() == pytest.approx(2 * np.pi * 10 * 2, rel=0.02)
    assert canvas.segment(10, 32, 50, 32, 2).sum() == pytest.approx(40 * 2 + np.pi, rel=0.05)


def test_paint_blends_and_to_uint8_rounds():
    canvas = Canvas(16, colour=(0, 0, 0))
    canvas.paint(canvas.rect(0, 0, 16, 16), (255, 100, 0), opacity=0.5)
    pixels = canvas.to_uint8()
    assert pixels.dtype == np.uint8 and pixels.shape == (16, 16, 3)
    assert tuple(pixels[8, 8]) == (128, 50, 0)


def test_gradient_and_scale():
    canvas = Canvas(32)
    canvas.vertical_gradient(0, 32, (0, 0, 0), (200, 200, 200))
    column = canvas.to_uint8()[:, 5, 0]
    assert np.all(np.diff(column.astype(int)) >= 0) and column[-1] > 190
    canvas.scale(0.5)
    assert canvas.to_uint8()[:, 5, 0].max() <= 100


def test_too_small_canvas_is_rejected():
    with pytest.raises(ValueError, match="size"):
        Canvas(4)
