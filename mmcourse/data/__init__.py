"""Loading multimodal sentiment data: the shipped MoodPosts set, your own CSV, MVSA.

Every loader returns a `MultimodalDataset` and raises `DatasetError` (a `ValueError`) that
names the file and row of any bad input.
"""

from mmcourse.data.core import (
    CLASS_NAMES,
    SPLITS,
    DatasetError,
    MultimodalDataset,
    SkippedRow,
)
from mmcourse.data.custom_csv import load_csv
from mmcourse.data.moodposts import default_data_home, load_moodposts, verify_moodposts
from mmcourse.data.mvsa import load_mvsa

__all__ = [
    "CLASS_NAMES",
    "SPLITS",
    "DatasetError",
    "MultimodalDataset",
    "SkippedRow",
    "default_data_home",
    "load_csv",
    "load_moodposts",
    "load_mvsa",
    "verify_moodposts",
]
