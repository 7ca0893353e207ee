import os
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from mmcourse.kernels import ipc_kernels

TRANSPORT = (
    "from ipykernel.connect import get_connection_info\n"
    "print(get_connection_info(unpack=True)['transport'])"
)


def _run(config=None):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TRANSPORT)])
    NotebookClient(notebook, timeout=60, kernel_name="python3", config=config).execute()
    return notebook.cells[0].outputs[0]["text"].strip()


@pytest.mark.skipif(sys.platform == "win32", reason="no IPC transport on Windows")
def test_kernels_run_over_ipc_sockets_without_the_tcp_warning(capfd):
    assert _run() == "tcp"  # the default: ipykernel warns on the terminal
    assert "without encryption" in capfd.readouterr().err
    with ipc_kernels() as config:
        folder = os.path.dirname(config.KernelManager.ip)
        assert _run(config) == "ipc"
    assert "without encryption" not in capfd.readouterr().err
    assert not os.path.exists(folder)  # the socket files went with their folder


def test_an_existing_config_keeps_its_other_settings():
    from traitlets.config import Config

    config = Config()
    config.Execute.timeout = 30
    with ipc_kernels(config) as same:
        assert same is config and same.Execute.timeout == 30
        if sys.platform != "win32":
            assert same.KernelManager.transport == "ipc"
