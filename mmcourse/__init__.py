"""mmcourse: cross-modal (text + image) sentiment analysis, a course in Keras 3."""

__version__ = "0.1.0"

from mmcourse.source import show  # noqa: E402  (renders the package's code in a notebook)

__all__ = ["show", "__version__"]
