"""The errata appendix's data helpers."""

import pytest

from mmcourse.lessons import errata


def test_class_folders_copy_each_image_under_its_label(tmp_path, make_image):
    import pandas as pd

    posts = pd.DataFrame(
        {
            "id": ["p1", "p2"],
            "image": [
                make_image(tmp_path / "in" / "a.png"),
                make_image(tmp_path / "in" / "b.png"),
            ],
            "image_label": ["positive", "negative"],
        }
    )
    folder = errata.class_folders(posts, tmp_path / "out")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.png")) == [
        "negative/p2.png",
        "positive/p1.png",
    ]
    with pytest.raises(ValueError, match="Missing: \\['image_label'\\]"):
        errata.class_folders(posts.drop(columns="image_label"), tmp_path / "x")


def test_images_only_gives_image_and_image_label_batches():
    from mmcourse.data import load_moodposts

    part = load_moodposts().subset("test").head(5)
    images, labels = next(iter(errata.images_only(part, batch_size=5)))
    assert tuple(images.shape) == (5, 64, 64, 3) and tuple(labels.shape) == (5,)
