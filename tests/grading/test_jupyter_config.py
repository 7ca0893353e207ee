"""`make lab` runs JupyterLab without nbgrader's extensions: `mmcourse/jupyter_config/` turns
them off.

Asked the way Jupyter itself resolves them (jupyter_server's extension lookup, JupyterLab's
page config), in a fresh process with and without `mmcourse/jupyter_config/` first on the
config path.
"""

import json
import os
import re
import subprocess
import sys

from mmcourse import paths

ROOT = paths.course_root()
CONFIG = ROOT / "mmcourse" / "jupyter_config"
PROBE = """
import json
from jupyter_core.paths import jupyter_path
from jupyter_server.serverapp import ServerApp
from jupyterlab_server.config import get_page_config

app = ServerApp()
app.load_config_file()
app.find_server_extensions()
page = get_page_config(jupyter_path("labextensions"))
print(json.dumps({
    "server": {k: v for k, v in app.jpserver_extensions.items() if k.startswith("nbgrader")},
    "lab": sorted(e["name"] for e in page["federated_extensions"] if "nbgrader" in e["name"]),
    "disabled": sorted(page["disabledExtensions"]),
    "transport": app.config.KernelManager.get("transport", "tcp"),
}))
"""


def extensions(config_path):
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_CONFIG_PATH"}
    if config_path is not None:
        env["JUPYTER_CONFIG_PATH"] = str(config_path)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_lab_config_turns_off_every_nbgrader_extension_the_environment_turns_on():
    installed = extensions(None)
    assert installed["server"] and all(installed["server"].values())  # nbgrader's install
    assert installed["lab"] == ["@jupyter/nbgrader"] and installed["disabled"] == []
    lab = extensions(CONFIG)
    assert set(lab["server"]) == set(installed["server"]) and not any(lab["server"].values())
    assert lab["disabled"] == installed["lab"]


def test_lab_config_runs_kernels_over_ipc_sockets_not_tcp_ports():
    # No "Kernel is running over TCP without encryption" on `make lab`'s terminal per notebook.
    assert extensions(None)["transport"] == "tcp"
    assert extensions(CONFIG)["transport"] == ("tcp" if sys.platform == "win32" else "ipc")


def test_make_lab_uses_the_config_and_make_formgrader_runs_in_the_course():
    makefile = (ROOT / "Makefile").read_text()
    lab = re.search(r"^lab: .*\n\t(.*)", makefile, re.MULTILINE).group(1)
    assert lab.startswith("$(LAB_CONFIG) $(BIN)/jupyter lab $(LAB_ROOT) ")
    assert 'LAB_CONFIG := JUPYTER_CONFIG_PATH="$(CURDIR)/mmcourse/jupyter_config' in makefile
    formgrader = re.search(r"^formgrader: .*\n\t(.*)", makefile, re.MULTILINE).group(1)
    assert formgrader.startswith("cd exercises && ") and "$(LAB_ROOT)" in formgrader
