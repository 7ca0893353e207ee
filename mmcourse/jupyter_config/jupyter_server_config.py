# Read with jupyter_server_config.json when `make lab` puts this folder on JUPYTER_CONFIG_PATH.
# The lessons' kernels talk to the server over IPC sockets (files beside each kernel's
# connection file in Jupyter's runtime folder) instead of local TCP ports: only this user can
# reach them, and ipykernel no longer prints "Kernel is running over TCP without encryption"
# on the terminal for every notebook opened. Windows has no IPC transport, so it keeps TCP.
import sys

if sys.platform != "win32":
    c = get_config()  # noqa: F821 - provided by Jupyter when it reads this file
    c.KernelManager.transport = "ipc"
