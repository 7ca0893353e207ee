"""The course's domain constants, defined once: every other module imports them from here.

MoodPosts and MVSA share the three sentiment classes; the phenomena are MoodPosts' (see its
dataset card, `datasets/moodposts/README.md`).
"""

CLASS_NAMES = ("negative", "neutral", "positive")
NUM_CLASSES = len(CLASS_NAMES)
SPLITS = ("train", "val", "test")
LABEL_COLUMNS = ("label", "text_label", "image_label")  # the post's, the text's, the image's
PHENOMENA = ("aligned", "text_neutral", "image_neutral", "negation", "conflict", "grounded")
SEQUENCE_LENGTH = 24  # token ids per text (lesson 02: the longest MoodPosts text has 21 tokens)
