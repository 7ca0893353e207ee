"""mmcourse: cross-modal (text + image) sentiment analysis, a course in Keras 3."""

__version__ = "0.1.0"
