"""Run a trainee's kernel inside a bubblewrap sandbox.

The kernel of a notebook being graded runs:

* as an unprivileged user (uid 65534) in its own user, PID, IPC, UTS and network
  namespaces: no network at all, not even loopback to the host;
* on a filesystem that holds only the system, the Python installation and the parts of
  the project a notebook imports (``sim/``, ``data/``, ``course/kit.py``), all read-only,
  plus one scratch folder of its own, the only place it can write. The grader's course
  folder (solutions, hidden tests, the gradebook, other trainees' work) is not there;
* with a clean environment (no database URLs or tokens leak in);
* under resource limits: address space (memory), CPU seconds and file size.

It talks to the grader over ZeroMQ IPC sockets in its scratch folder, so it needs no
network. Requires the ``bwrap`` program (Debian package ``bubblewrap``), which the
project's install steps add; :func:`check` says clearly when it is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Instance

PROJECT = Path(__file__).resolve().parent.parent
# what a course notebook may import from the project; everything else stays outside
PROJECT_PARTS = ("sim", "data", "course/__init__.py", "course/kit.py")


@dataclass(frozen=True)
class Limits:
    """Limits for one notebook's kernel. Zero means no limit."""

    cell_seconds: int = 300
    notebook_seconds: int = 1800
    memory_mb: int = 4096
    cpu_seconds: int = 3600
    output_kb_per_cell: int = 256
    file_mb: int = 256


class SandboxError(RuntimeError):
    """The sandbox cannot be used on this machine."""


def bwrap_path() -> str:
    """Path of the bubblewrap program, or a clear error."""
    found = shutil.which("bwrap")
    if not found:
        raise SandboxError(
            "bwrap (bubblewrap) is not installed: trainee code is never graded outside a "
            "sandbox. Install it with `apt-get install bubblewrap` (the README's setup does)."
        )
    return found


def check() -> None:
    """Fail with a clear message unless a sandboxed process can start here."""
    done = subprocess.run(
        [*wrap(Path("/tmp"), Limits()), sys.executable, "-c", "print('ok')"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0 or done.stdout.strip() != "ok":
        raise SandboxError(f"the bubblewrap sandbox does not start here: {done.stderr.strip()}")


def _ro_binds() -> list[str]:
    paths = {"/usr", "/etc", sys.base_prefix, sys.prefix}
    paths |= {str(PROJECT / part) for part in PROJECT_PARTS}
    args: list[str] = []
    for p in sorted(paths):
        if os.path.exists(p):
            args += ["--ro-bind", p, p]
    # Debian's merged /usr: /bin, /lib, /lib64 are links into /usr
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.path.realpath(f"/{link}")
        if target.startswith("/usr/") and os.path.exists(target):
            args += ["--symlink", target.lstrip("/"), f"/{link}"]
    return args


def wrap(scratch: Path, limits: Limits) -> list[str]:
    """The command prefix that runs a program in the sandbox with ``scratch`` writable."""
    scratch = Path(scratch)
    rl = ["prlimit"]
    if limits.memory_mb:
        rl.append(f"--as={limits.memory_mb * 1024 * 1024}")
    if limits.cpu_seconds:
        rl.append(f"--cpu={limits.cpu_seconds}")
    if limits.file_mb:
        rl.append(f"--fsize={limits.file_mb * 1024 * 1024}")
    home = str(scratch)
    env = {
        "HOME": home,
        "TMPDIR": home,
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(PROJECT),
        "MPLCONFIGDIR": f"{home}/.mpl",
        "MPLBACKEND": "agg",
        "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_PLATFORM_DIRS": "1",
        "NBGRADER_EXECUTION": "autograde",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    args = [
        *rl,
        "--",
        bwrap_path(),
        "--unshare-all",
        "--unshare-user",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        # /tmp first: the binds below may lie under it (a venv or checkout in /tmp)
        "--tmpfs",
        "/tmp",
        *_ro_binds(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--bind",
        home,
        home,
        # the sandbox's own root and /tmp (where bwrap made the mount points) become
        # read-only: the scratch folder is the one place it can write
        "--remount-ro",
        "/",
        "--remount-ro",
        "/tmp",
        "--chdir",
        home,
    ]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts inside :func:`wrap`, on IPC sockets."""

    scratch = Instance(Path, allow_none=True)
    limits = Instance(Limits, args=())

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """Prefix the kernel's command line with the sandbox."""
        cmd = super().format_kernel_cmd(extra_arguments)
        # the kernel's own interpreter must be the grader's (same packages, all read-only)
        if cmd and Path(cmd[0]).name.startswith("python"):
            cmd[0] = sys.executable
        return [*wrap(self.scratch, self.limits), *cmd]

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw):
        """Start the kernel with its own console output discarded (it is not the cells')."""
        kw["stdout"] = subprocess.DEVNULL
        kw["stderr"] = subprocess.DEVNULL
        return await super()._async_launch_kernel(kernel_cmd, **kw)
