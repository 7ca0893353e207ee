"""Headless kernels over IPC sockets: no TCP port, no "running over TCP without encryption".

`mmcourse outputs`, `make course`, `mmcourse check` and `mmcourse grade` start a fresh kernel
per notebook. Started the default way, each kernel listens on local TCP ports and ipykernel
prints a warning to the terminal that all traffic is plain text. Unix-domain (IPC) sockets are
what that warning recommends: only this user can reach them, and nothing is printed.
`ipc_kernels(config)` sets the kernel manager's transport in a traitlets `Config` (the one
nbclient's `NotebookClient` or nbgrader's preprocessors are given) and puts the socket files
in a temporary folder that is removed afterwards. Windows has no IPC transport, so there the
config is left as it is.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile


@contextlib.contextmanager
def ipc_kernels(config=None):
    """Yield `config` (a new `traitlets.config.Config` when `None`) with IPC kernel sockets.

    The kernels started with it must be shut down inside the block (nbclient and nbgrader do
    so when a notebook ends): the socket folder is removed when the block exits.
    """
    from traitlets.config import Config

    config = Config() if config is None else config
    if sys.platform == "win32":
        yield config
        return
    with tempfile.TemporaryDirectory(prefix="mmcourse-kernel-") as folder:
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(folder, "kernel")
        yield config
