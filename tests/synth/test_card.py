"""The dataset card: rendered from metadata.json, it is the shipped README, number for number."""

import json

from mmcourse import paths
from mmcourse.synth.card import render_card

SHIPPED = paths.shipped_dataset() / "moodposts"


def test_the_shipped_card_is_rendered_from_the_shipped_metadata():
    metadata = json.loads((SHIPPED / "metadata.json").read_text())
    assert render_card(metadata) == (SHIPPED / "README.md").read_text()


def test_the_card_states_the_ceilings_and_counts_it_is_given():
    metadata = json.loads((SHIPPED / "metadata.json").read_text())
    metadata["ceilings"]["both"]["overall"] = 0.5
    card = render_card(metadata)
    assert card != (SHIPPED / "README.md").read_text()
    assert "50.0" in card
