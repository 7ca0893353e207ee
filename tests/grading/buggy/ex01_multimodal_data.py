"""Near-miss answers of ex01 (see `tests/grading/buggy/__init__.py`)."""

BUGS = {
    # keeps the posts with a missing label: NaN never equals anything, so they count as
    # disagreeing
    "q1_agreement_share": (
        "q1_code",
        "def agreement_share(frame, first, second):\n"
        "    return float((frame[first] == frame[second]).mean())",
    ),
    # forgets the split: every split's posts of the phenomenon
    "q2_disagreeing_posts": (
        "q2_code",
        'def disagreeing_posts(frame, phenomenon, split="test"):\n'
        '    mask = (frame["phenomenon"] == phenomenon) & '
        '(frame["text_label"] != frame["image_label"])\n'
        "    return frame[mask]",
    ),
    # a disagreement of positive and negative keeps the text's label instead of dropping it
    "q3_merge_labels": (
        "q3_code",
        "def merge_labels(text_label, image_label):\n"
        "    if text_label == image_label or image_label == 'neutral':\n"
        "        return text_label\n"
        "    if text_label == 'neutral':\n"
        "        return image_label\n"
        "    return text_label",
    ),
    # the majority label of the evaluation posts: the test set leaks into the baseline
    "q4_majority_baseline": (
        "q4_code",
        "def majority_baseline_accuracy(train_frame, eval_frame):\n"
        '    majority = eval_frame["label"].value_counts().idxmax()\n'
        '    return float((eval_frame["label"] == majority).mean())',
    ),
    # the unweighted mean over groups of each group's best share: small groups count too much
    "q5_empirical_ceiling": (
        "q5_code",
        "def empirical_ceiling(frame, view_columns):\n"
        "    if not view_columns:\n"
        '        return float(frame["label"].value_counts(normalize=True).max())\n'
        '    best = frame.groupby(list(view_columns))["label"].agg(\n'
        "        lambda g: g.value_counts(normalize=True).max()\n"
        "    )\n"
        "    return float(best.mean())",
    ),
}
