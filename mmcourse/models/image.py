"""Image models: augmentation, a small CNN from scratch, a pretrained encoder and its classifier.

Every builder is functional and backend-agnostic (Keras layers and `keras.ops` only), takes an
input named `"image"` (float32 in [0, 1], 64x64x3 by default, as `to_tf_dataset` yields it),
names each layer after its block (`image_conv1`, `image_pool1`, `image_head_dense`, ...) and
ends in a float32 softmax, so that mixed precision is safe.

The course encoder (`build_image_encoder(weights="course")`) was pretrained by
`python -m mmcourse.pretrain.image_encoder` on generated scenes of its own (never MoodPosts
images) to recognise faces' expressions, weather, place and objects. Its weights ship in
`datasets/encoders/course_image_encoder/` with a SHA-256 checked on load.
"""

from __future__ import annotations

from pathlib import Path

import keras

from mmcourse import paths
from mmcourse.constants import NUM_CLASSES
from mmcourse.data.core import file_sha256

ENCODER_DIR = paths.shipped_dataset("encoders", "course_image_encoder")
ENCODER_WEIGHTS = ENCODER_DIR / "encoder.weights.h5"
ENCODER_SHA256 = ENCODER_DIR / "encoder.weights.h5.sha256"
ENCODER_FILTERS = (24, 32, 64, 64)
IMAGENET_SIZE = 96  # the smallest input MobileNetV2's ImageNet weights were trained at


def _image_input(image_size):
    return keras.Input(shape=(image_size, image_size, 3), name="image", dtype="float32")


def _softmax(x, num_classes):
    return keras.layers.Dense(
        num_classes, activation="softmax", dtype="float32", name="image_output"
    )(x)


def build_augmentation(
    *, flip=True, translate=0.1, zoom=0.1, contrast=0.0, image_size=64, seed=None
) -> keras.Model:
    """Random flips, shifts, zooms and contrast changes, active only in training.

    Keras preprocessing layers replace the legacy `ImageDataGenerator`: they are part of the
    model, run on the accelerator, and are the identity at inference (`training=False`).
    A horizontal flip keeps a face's expression, so it is a safe augmentation here.
    Keras' random layers default to `training=True` when called directly: use
    `model.predict(x)` or `model(x, training=False)` to get deterministic predictions.
    """
    image = _image_input(image_size)
    x = image
    if flip:
        x = keras.layers.RandomFlip("horizontal", seed=seed, name="image_augment_flip")(x)
    if translate:
        x = keras.layers.RandomTranslation(
            translate, translate, fill_mode="reflect", seed=seed, name="image_augment_translate"
        )(x)
    if zoom:
        x = keras.layers.RandomZoom(
            zoom, fill_mode="reflect", seed=seed, name="image_augment_zoom"
        )(x)
    if contrast:
        x = keras.layers.RandomContrast(contrast, seed=seed, name="image_augment_contrast")(x)
    x = keras.layers.Identity(name="image_augment_out")(x)
    return keras.Model(image, x, name="image_augment")


def _conv_blocks(x, filters, *, prefix="image"):
    """Conv 3x3 + ReLU, each but the last followed by a 2x2 max pool."""
    for index, count in enumerate(filters, start=1):
        x = keras.layers.Conv2D(
            count, 3, padding="same", activation="relu", name=f"{prefix}_conv{index}"
        )(x)
        if index < len(filters):
            x = keras.layers.MaxPooling2D(2, name=f"{prefix}_pool{index}")(x)
    return x


def build_image_cnn(
    *,
    filters=(24, 32, 64, 64),
    dropout=0.3,
    augment=False,
    num_classes=NUM_CLASSES,
    image_size=64,
    name="image_cnn",
) -> keras.Model:
    """A small CNN trained from scratch: conv blocks, global max pooling, a softmax.

    Global *max* pooling answers "is there a frowning face anywhere?", which is what the
    image's sentiment depends on; the last conv layer (`image_conv4`) is the one Grad-CAM reads.
    """
    image = _image_input(image_size)
    x = build_augmentation(image_size=image_size)(image) if augment else image
    x = _conv_blocks(x, filters)
    x = keras.layers.GlobalMaxPooling2D(name="image_global_pool")(x)
    x = keras.layers.Dropout(dropout, name="image_head_dropout")(x)
    return keras.Model(image, _softmax(x, num_classes), name=name)


def _course_backbone(image_size):
    """Pixels in [-1, 1] -> an (h/8, w/8, 64) grid of features (the course encoder's body)."""
    pixels = keras.Input(shape=(image_size, image_size, 3), name="pixels")
    return keras.Model(
        pixels, _conv_blocks(pixels, ENCODER_FILTERS, prefix="encoder"), name="course_backbone"
    )


def load_course_weights(backbone: keras.Model, path=ENCODER_WEIGHTS) -> keras.Model:
    """Load the shipped encoder weights after checking their SHA-256."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"The course image encoder is missing: {path}. Restore it from git, or rebuild it "
            "with `python -m mmcourse.pretrain.image_encoder --out datasets/encoders/"
            "course_image_encoder`."
        )
    expected = Path(f"{path}.sha256").read_text().split()[0]
    actual = file_sha256(path)
    if actual != expected:
        raise ValueError(
            f"{path} is corrupt or was modified: SHA-256 {actual}, expected {expected}. "
            "Restore it from git (`git checkout -- datasets/encoders`)."
        )
    backbone.load_weights(path)
    return backbone


def _imagenet_backbone(image_size):
    """MobileNetV2 with ImageNet weights, fed images resized to 96x96 and scaled to [-1, 1]."""
    try:
        mobilenet = keras.applications.MobileNetV2(
            input_shape=(IMAGENET_SIZE, IMAGENET_SIZE, 3), include_top=False, weights="imagenet"
        )
    except Exception as error:  # noqa: BLE001 - any download failure gets the same advice
        raise RuntimeError(
            'weights="imagenet" downloads MobileNetV2\'s ImageNet weights (about 9 MB) from '
            f"the internet, which failed ({type(error).__name__}: {error}). Go online once (the "
            'file is then cached in ~/.keras/models), or use weights="course", the encoder '
            "that ships with the course and works offline."
        ) from error
    pixels = keras.Input(shape=(image_size, image_size, 3), name="pixels")
    x = keras.layers.Resizing(IMAGENET_SIZE, IMAGENET_SIZE, name="encoder_resize")(pixels)
    return keras.Model(pixels, mobilenet(x), name="imagenet_backbone")


def build_image_encoder(
    *, weights="course", trainable=False, spatial=False, image_size=64, name="image_encoder"
) -> keras.Model:
    """A pretrained image feature extractor: `"image"` in [0, 1] -> a feature vector.

    Args:
        weights: `"course"` (shipped, offline, 64 features), `"imagenet"` (MobileNetV2,
            downloads once, 1280 features) or `None` (the course architecture, random).
        trainable: `False` freezes the encoder (feature extraction); `True` fine-tunes it.
        spatial: return the feature *grid* (batch, h, w, channels) instead of the pooled
            vector, e.g. for attention over image regions in later lessons.

    The first layer, `image_rescale`, maps [0, 1] to [-1, 1], the range both backbones were
    trained on (MobileNetV2's `preprocess_input` does the same).
    """
    if weights not in ("course", "imagenet", None):
        raise ValueError(f'weights must be "course", "imagenet" or None. Received: {weights!r}')
    if weights == "imagenet":
        backbone = _imagenet_backbone(image_size)
    else:
        backbone = _course_backbone(image_size)
        if weights == "course":
            if image_size != 64:
                raise ValueError(f"The course encoder expects 64x64 images. Got {image_size}.")
            load_course_weights(backbone)
    image = _image_input(image_size)
    x = keras.layers.Rescaling(2.0, offset=-1.0, name="image_rescale")(image)
    x = backbone(x)
    if not spatial:
        x = keras.layers.GlobalMaxPooling2D(name="image_encoder_pool")(x)
    encoder = keras.Model(image, x, name=name)
    encoder.trainable = trainable
    return encoder


def build_image_classifier(
    encoder: keras.Model,
    *,
    augment=True,
    hidden_units=0,
    dropout=0.2,
    num_classes=NUM_CLASSES,
    name="image_classifier",
) -> keras.Model:
    """Pretrained features + a small head. The encoder is called with `training=False`.

    `training=False` keeps layers such as BatchNormalization in inference mode even while
    the encoder is fine-tuned (`encoder.trainable = True`), as keras.io recommends; with the
    encoder frozen, only the head learns (a linear classifier when `hidden_units=0`).
    """
    image_size = encoder.input_shape[1]
    image = _image_input(image_size)
    x = build_augmentation(image_size=image_size)(image) if augment else image
    x = encoder(x, training=False)
    if hidden_units:
        x = keras.layers.Dense(hidden_units, activation="relu", name="image_head_dense")(x)
    x = keras.layers.Dropout(dropout, name="image_head_dropout")(x)
    return keras.Model(image, _softmax(x, num_classes), name=name)


def build_listing_4_2(*, weights="course", image_size=64, num_classes=NUM_CLASSES) -> keras.Model:
    """The article's listing 4.2, corrected: augmentation layers, a frozen pretrained backbone
    called with `training=False` behind a Rescaling layer to its input range, a Dense(128)
    head. `weights="imagenet"` gives the article's MobileNetV2 (online only)."""
    encoder = build_image_encoder(weights=weights, trainable=False, image_size=image_size)
    return build_image_classifier(
        encoder,
        augment=True,
        hidden_units=128,
        dropout=0.2,
        num_classes=num_classes,
        name="listing_4_2",
    )
