"""The course's domain constants, defined once: every other module imports them from here.

MoodPosts and MVSA share the three sentiment classes; the phenomena are MoodPosts' (see its
dataset card, `datasets/moodposts/README.md`).
"""

CLASS_NAMES = ("negative", "neutral", "positive")
NUM_CLASSES = len(CLASS_NAMES)
SPLITS = ("train", "val", "test")
# a post has three labels: its own, its text's alone and its image's alone
LABEL_COLUMNS = ("label", "text_label", "image_label")
PHENOMENA = ("aligned", "text_neutral", "image_neutral", "negation", "conflict", "grounded")
# token ids per text (lesson 02: the longest MoodPosts text has 21 tokens)
SEQUENCE_LENGTH = 24
