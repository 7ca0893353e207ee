"""A tiny anti-aliased rasteriser in plain numpy.

Shapes are coverage masks computed from distances, using only +, -, *, / and sqrt (all
exactly rounded in IEEE arithmetic), so the same scene gives the same pixels on every
machine and every numpy version: the shipped dataset can be regenerated bit for bit.
"""

from __future__ import annotations

import numpy as np


class Canvas:
    """An RGB float canvas of `size` x `size` pixels, values in [0, 255]."""

    def __init__(self, size: int = 64, colour=(0, 0, 0)):
        if size < 8:
            raise ValueError(f"size must be at least 8. Received: size={size}")
        self.size = size
        centres = np.arange(size, dtype=np.float64) + 0.5
        self.y, self.x = np.meshgrid(centres, centres, indexing="ij")
        self.pixels = np.empty((size, size, 3), dtype=np.float64)
        self.pixels[...] = np.asarray(colour, dtype=np.float64)

    # Coverage masks (values in [0, 1]) -------------------------------------------------
    def disc(self, cx, cy, r):
        d = np.sqrt((self.x - cx) ** 2 + (self.y - cy) ** 2)
        return np.clip(r - d + 0.5, 0.0, 1.0)

    def ring(self, cx, cy, r, width):
        d = np.sqrt((self.x - cx) ** 2 + (self.y - cy) ** 2)
        return np.clip(width / 2 - np.abs(d - r) + 0.5, 0.0, 1.0)

    def ellipse(self, cx, cy, rx, ry):
        d = np.sqrt(((self.x - cx) / rx) ** 2 + ((self.y - cy) / ry) ** 2)
        return np.clip((1.0 - d) * min(rx, ry) + 0.5, 0.0, 1.0)

    def rect(self, x0, y0, x1, y1):
        inside = np.minimum(
            np.minimum(self.x - x0, x1 - self.x), np.minimum(self.y - y0, y1 - self.y)
        )
        return np.clip(inside + 0.5, 0.0, 1.0)

    def segment(self, x0, y0, x1, y1, width):
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        if length2 == 0:
            return self.disc(x0, y0, width / 2)
        t = np.clip(((self.x - x0) * dx + (self.y - y0) * dy) / length2, 0.0, 1.0)
        d = np.sqrt((self.x - x0 - t * dx) ** 2 + (self.y - y0 - t * dy) ** 2)
        return np.clip(width / 2 - d + 0.5, 0.0, 1.0)

    def polyline(self, points, width):
        mask = np.zeros_like(self.x)
        for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
            mask = np.maximum(mask, self.segment(x0, y0, x1, y1, width))
        return mask

    def triangle(self, p0, p1, p2):
        points = [p0, p1, p2]
        # Orient counter-clockwise so that "inside" is on the left of every edge.
        area = (p1[0] - p0[0]) * (p2[1] - p0[1]) - (p2[0] - p0[0]) * (p1[1] - p0[1])
        if area < 0:
            points = [p0, p2, p1]
        inside = None
        for (ax, ay), (bx, by) in zip(points, points[1:] + points[:1]):
            nx, ny = -(by - ay), bx - ax
            norm = np.sqrt(nx * nx + ny * ny)
            dist = ((self.x - ax) * nx + (self.y - ay) * ny) / norm
            inside = dist if inside is None else np.minimum(inside, dist)
        return np.clip(inside + 0.5, 0.0, 1.0)

    # Painting -----------------------------------------------------------------------------
    def paint(self, mask, colour, opacity: float = 1.0):
        """Blend `colour` over the canvas where `mask` covers it."""
        alpha = (mask * opacity)[..., None]
        self.pixels += (np.asarray(colour, dtype=np.float64) - self.pixels) * alpha

    def vertical_gradient(self, y0, y1, top, bottom):
        """Fill rows y0..y1 with a linear gradient from `top` to `bottom` colour."""
        t = np.clip((self.y - y0) / max(y1 - y0, 1.0), 0.0, 1.0)[..., None]
        colour = np.asarray(top, dtype=np.float64) * (1 - t) + np.asarray(bottom) * t
        band = ((self.y >= y0) & (self.y < y1))[..., None]
        self.pixels = np.where(band, colour, self.pixels)

    def scale(self, factor: float):
        self.pixels *= factor

    def to_uint8(self) -> np.ndarray:
        return np.floor(np.clip(self.pixels, 0.0, 255.0) + 0.5).astype(np.uint8)
