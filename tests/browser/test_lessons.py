"""The lessons' widgets in JupyterLab, in Chromium, as a learner uses them.

Lesson 01 runs whole (*Run → Run All Cells*); lessons 03 and 08 run only the cells their
widget needs (the models are built, not trained: their widgets answer either way), each cell
clicked and run with Ctrl+Enter. Kernels run in fast mode (`MMCOURSE_FAST=1`).
"""

import inspect
import json
import math
import re

import pytest

from mmcourse.data import load_moodposts
from mmcourse.lessons import multimodal_data
from mmcourse.text import lexicon
from mmcourse.widget_static import NOTE
from tests.browser.lab import (
    WIDGET,
    cell,
    cell_index,
    clear_outputs,
    error_outputs,
    menu,
    notebook_json,
    open_notebook,
    run_widget_cells,
    save_shut_down_and_close,
    saved_widget_ids,
    wait_ran,
    wait_until,
    widget_output_ids,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def status_text(page, widget, pattern="posts match"):
    label = widget.locator(".widget-label", has_text=pattern)
    return label.inner_text()


def figure_source(widget):
    return widget.locator(".widget-output img").first.get_attribute("src")


def wait_for_new_figure(page, widget, before):
    """Wait until the widget's `Output` shows a figure other than `before` (a `src`)."""
    page.wait_for_function(
        "([element, before]) => element.querySelector('.widget-output img')"
        " && element.querySelector('.widget-output img').src !== before",
        arg=[widget.element_handle(), before],
        timeout=60_000,
    )


def choose(widget, description, value):
    dropdown = widget.locator(".widget-dropdown", has_text=description)
    dropdown.locator("select").select_option(value)


def expect_status(page, widget, expected):
    page.wait_for_function(
        "([element, expected]) => element.innerText.includes(expected)",
        arg=[widget.element_handle(), expected],
        timeout=60_000,
    )
    assert expected in status_text(page, widget)


def no_model_errors(page):
    page.wait_for_timeout(1000)  # every output area has drawn its widget, or its error
    text = page.evaluate("() => document.body.textContent")
    assert "model not found" not in text and "Error displaying widget" not in text


def reopen_without_model_errors(page, lab_server, path, widget_fragment):
    """Save, shut the kernel down, close, open again: the widgets are drawn from the state
    saved with the notebook (a new kernel knows none of them), with no "model not found"."""
    shown = widget_output_ids(notebook_json(page))
    save_shut_down_and_close(page)
    saved = json.loads((lab_server.root / path).read_text())
    assert shown and shown <= saved_widget_ids(saved), "the widgets' state was not saved"
    open_notebook(page, lab_server, path)
    notebook = notebook_json(page)
    assert widget_output_ids(notebook) == shown
    widget = cell(page, cell_index(notebook, widget_fragment)).locator(WIDGET).first
    widget.wait_for(timeout=60_000)
    widget.scroll_into_view_if_needed()
    no_model_errors(page)
    return widget


def reopen_again_shows_static_renderings(page, lab_server, path, widget_fragment):
    """Saved again before any widget cell ran (JupyterLab saves only live widgets' state), the
    notebook keeps each widget's static rendering (`mmcourse.widget_static.pre_save_hook`)."""
    save_shut_down_and_close(page)
    saved = json.loads((lab_server.root / path).read_text())
    assert not widget_output_ids(saved), "a widget view without its state was saved"
    open_notebook(page, lab_server, path)
    output = cell(page, cell_index(notebook_json(page), widget_fragment))
    output.scroll_into_view_if_needed()
    wait_until(page, lambda: NOTE in output.inner_text())
    no_model_errors(page)
    return output


def test_lesson_01_runs_all_and_its_post_browser_filters_and_pages(page, lab_server):
    path = "notebooks/01_multimodal_data.ipynb"
    open_notebook(page, lab_server, path)
    page.shot("opened")
    clear_outputs(page)
    menu(page, "Run", "Run All Cells")
    notebook = notebook_json(page)
    code = [i for i, c in enumerate(notebook["cells"]) if c["cell_type"] == "code"]
    notebook = wait_ran(page, code, timeout=900)
    page.shot("ran-all")
    assert not error_outputs(notebook)

    frame = load_moodposts().frame
    per_page = inspect.signature(multimodal_data.post_browser).parameters["num_posts"].default
    index = cell_index(notebook, "post_browser(")
    widget = cell(page, index).locator(WIDGET).first
    widget.scroll_into_view_if_needed()
    expect_status(page, widget, f"{len(frame)} posts match; page 1 of {len(frame) // per_page}")
    page.shot("browser", widget)

    steps = [
        ("phenomenon", "negation", frame.phenomenon == "negation"),
        ("label", "negative", (frame.phenomenon == "negation") & (frame.label == "negative")),
    ]
    for description, value, mask in steps:
        before = figure_source(widget)
        choose(widget, description, value)
        pages = math.ceil(mask.sum() / per_page)
        expect_status(page, widget, f"{mask.sum()} posts match; page 1 of {pages}")
        wait_for_new_figure(page, widget, before)
        page.shot(f"{description}-{value}", widget)

    before = figure_source(widget)
    page_box = widget.locator(".widget-text", has_text="page").locator("input")
    page_box.fill("2")
    page_box.press("Enter")
    expect_status(page, widget, f"page 2 of {pages}")
    wait_for_new_figure(page, widget, before)
    page.shot("page-2", widget)
    choose(widget, "split", "test")  # a filter change goes back to page 1
    mask &= frame.split == "test"
    expect_status(
        page, widget, f"{mask.sum()} posts match; page 1 of {math.ceil(mask.sum() / per_page)}"
    )
    assert page_box.input_value() == "1"
    page.shot("split-test", widget)

    widget = reopen_without_model_errors(page, lab_server, path, "post_browser(")
    wait_until(page, lambda: f"{mask.sum()} posts match" in widget.inner_text())  # as saved
    page.shot("reopened", widget)
    output = reopen_again_shows_static_renderings(page, lab_server, path, "post_browser(")
    assert f"{mask.sum()} posts match" in output.inner_text()
    page.shot("reopened-again", output)


LESSON_03_CELLS = [
    '("TF_CPP_MIN_LOG_LEVEL", "3")',
    "from mmcourse import by_hand",
    "dataset = load_moodposts()",
    "vectorizer = vectorize.make_vectorizer(",
    "bag = text.build_bag_of_embeddings(",
    "cnn = text.build_text_cnn(",
    "bilstm = text.build_text_bilstm(",
    "models = {",
    "text_sentiment_playground.sentiment_playground(",
]


def playground_rows(widget):
    """{model: (probabilities, predicted)} from the playground's table."""
    rows = {}
    for row in widget.locator(".widget-html tr").all()[1:]:
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        rows[cells[0]] = ([float(c) for c in cells[1:-1]], cells[-1])
    return rows


def test_lesson_03_playground_predicts_typed_text(page, lab_server):
    path = "notebooks/03_text_sentiment.ipynb"
    widget = run_widget_cells(page, lab_server, path, LESSON_03_CELLS)
    page.shot("playground", widget)
    first = playground_rows(widget)
    assert set(first) == {"bag of embeddings", "TextCNN", "BiLSTM", "lexicon"}

    for post in ("so sad and angry at the park", "what a wonderful happy day"):
        box = widget.locator(".widget-text input")
        box.fill(post)
        box.press("Enter")
        expected = lexicon.predict_proba([post])[0].tolist()
        wait_until(page, lambda e=expected: playground_rows(widget)["lexicon"][0] == e)
        rows = playground_rows(widget)
        assert rows["lexicon"][0] == pytest.approx(expected)
        for name, (probabilities, predicted) in rows.items():
            assert sum(probabilities) == pytest.approx(1, abs=0.02), (name, probabilities)
            assert predicted in ("negative", "neutral", "positive")
        page.shot(re.sub(r"\W+", "-", post), widget)
    assert not error_outputs(notebook_json(page))


LESSON_08_CELLS = [
    '("TF_CPP_MIN_LOG_LEVEL", "3")',
    "from mmcourse import by_hand",
    "settings = attention_fusion.SETTINGS.for_mode()",
    "data = prepare_fusion_data()",
    "cross = attention.build_cross_modal_attention(vocabulary_size",
    "viewer = attention_fusion_viewer.attention_viewer(",
]


def test_lesson_08_viewer_redraws_the_heat_map_for_another_post(page, lab_server):
    path = "notebooks/08_attention_fusion.ipynb"
    widget = run_widget_cells(page, lab_server, path, LESSON_08_CELLS)
    page.shot("viewer", widget)

    test_frame = load_moodposts().subset("test").frame
    grounded = test_frame[test_frame.phenomenon == "grounded"].reset_index(drop=True)
    summary = widget.locator(".widget-html")
    assert grounded.text[0] in summary.inner_text()
    for post in (1, 2):
        before = figure_source(widget)
        widget.locator(".widget-slider .noUi-handle").first.press("ArrowRight")
        page.wait_for_function(
            "([element, text]) => element.innerText.includes(text)",
            arg=[summary.element_handle(), grounded.text[post]],
            timeout=60_000,
        )
        wait_for_new_figure(page, widget, before)
        assert "phenomenon: grounded" in summary.inner_text()
        page.shot(f"post-{post}", widget)
    assert not error_outputs(notebook_json(page))

    widget = reopen_without_model_errors(page, lab_server, path, "attention_viewer(")
    saved_summary = widget.locator(".widget-html")
    wait_until(page, lambda: grounded.text[2] in saved_summary.inner_text())  # as it was saved
    page.shot("reopened", widget)
