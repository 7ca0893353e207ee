"""`mmcourse.show` renders the package's own code, with its file and lines, no machine path."""

import subprocess
import sys

import pytest

import mmcourse
from mmcourse import paths, source
from mmcourse.models import fusion, fusion_layers


def test_show_renders_a_builder_with_its_file_and_lines():
    rendered = mmcourse.show(fusion.build_gated_fusion)
    (block,) = rendered.blocks
    assert block.file == "mmcourse/models/fusion.py"
    assert block.code.startswith("def build_gated_fusion(")
    lines = (paths.course_root() / block.file).read_text().splitlines()
    assert lines[block.first_line - 1].startswith("def build_gated_fusion(")
    assert lines[block.last_line - 1].strip() == block.code.splitlines()[-1].strip()
    assert "build_gated_fusion  (mmcourse/models/fusion.py, lines " in rendered._repr_html_()


def test_show_renders_a_method_dedented_and_several_objects_in_order():
    rendered = mmcourse.show(fusion_layers.GatedFusion, fusion_layers.GatedFusion.call)
    assert rendered.names == [
        "mmcourse.models.fusion_layers.GatedFusion",
        "mmcourse.models.fusion_layers.GatedFusion.call",
    ]
    assert rendered.blocks[1].code.startswith("def call(self, inputs):")
    assert "ops.sigmoid" in str(rendered)


def test_rendered_html_is_highlighted_and_holds_no_machine_path():
    html = mmcourse.show(fusion_layers.LowRankFusion, fusion.build_text_only)._repr_html_()
    assert "<span" in html and "style=" in html  # inline styles: no stylesheet needed
    assert str(paths.course_root()) not in html
    assert "-&gt;</span> keras" in html  # the code is escaped, not injected as HTML


def test_show_refuses_what_has_no_source():
    with pytest.raises(TypeError, match="Received: obj=3"):
        mmcourse.show(3)
    with pytest.raises(TypeError, match="not an instance"):
        mmcourse.show(fusion_layers.GatedFusion(4))
    with pytest.raises(TypeError, match="at least one"):
        mmcourse.show()


def test_importing_show_does_not_import_keras():
    code = "import sys, mmcourse; mmcourse.show(mmcourse.show); print('keras' in sys.modules)"
    printed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert printed.strip() == "False"
    assert source.CODE_STYLE
