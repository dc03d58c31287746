"""Confine a Python process that runs a student's code: the grader's kernels and its check processes.

Usage (the grader starts these; nobody needs to by hand)::

    python -m teaching.sandbox --allow DIR ... --deny DIR ... kernel -f CONNECTION_FILE
    python -m teaching.sandbox --allow DIR ... --deny DIR ... module teaching.evaluate

An *audit hook* (PEP 578), installed before any student code runs and impossible to remove,
refuses in this process:

- reading, listing or changing anything under a ``--deny`` folder (the submissions, the
  other students' working folders, the grader's output), unless it is under an ``--allow``
  folder (this submission's own working folder, the shared compilation caches);
- writing anywhere but under an ``--allow`` folder (and ``/dev``);
- starting programs or processes (``subprocess``, ``os.system``, ``os.exec*``, ``os.fork``,
  ``os.posix_spawn``), signalling other processes, and reading other processes' ``/proc``.

The refusal is a ``PermissionError`` naming the path or the call. PEP 578 hooks raise the bar,
they are not a security boundary: a determined attacker with native code can get around them.
For high-stakes grading run the grader in a container with no access to anything else.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import threading

_BLOCKED = {"subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty",
            "os.killpg", "pty.spawn"}
_READING = {"os.listdir", "os.scandir", "os.chdir", "glob.glob", "os.walk", "shutil.rmtree"}
_CHANGING = {"os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.replace", "os.truncate", "os.chmod", "os.chown",
             "os.utime", "os.symlink", "os.link", "shutil.copyfile", "shutil.copytree", "shutil.move"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root + os.sep) for root in roots)


def install(allow: list[str], deny: list[str]) -> None:
    """Install the audit hook in this process: nothing under ``deny`` but what is under ``allow``; no new processes."""
    allowed = tuple(os.path.realpath(path) for path in allow)
    denied = tuple(os.path.realpath(path) for path in deny)
    own_proc = f"/proc/{os.getpid()}"
    busy = threading.local()

    def resolve(path) -> str | None:
        if isinstance(path, int) or path is None:
            return None  # a file descriptor: opened, and checked, before
        try:
            return os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return None

    def refuse(path: str | None, writing: bool) -> bool:
        if path is None:
            return False
        if _under(path, allowed):
            return False
        if _under(path, denied):
            return True
        if path.startswith("/proc/") and path.split("/")[2].isdigit() and not _under(path, (own_proc,)):
            return True
        return writing and not _under(path, ("/dev",))

    def hook(event: str, args: tuple) -> None:
        if getattr(busy, "active", False):
            return
        if event in _BLOCKED or (event == "os.kill" and args[0] != os.getpid()):
            raise PermissionError(f"{event} is not allowed while grading")
        if event not in _READING and event not in _CHANGING and event != "open":
            return
        busy.active = True
        try:
            if event == "open":
                mode, flags = args[1] or "r", args[2] or 0
                writing = any(c in str(mode) for c in "wax+") or bool(flags & _WRITE_FLAGS)
                paths = [args[0]]
            else:
                paths = [a for a in args if isinstance(a, (str, bytes, os.PathLike))][:2] or ["."]
                # a copy or a link reads its source and writes its target; the rest change what they name
                reads_first = event in ("shutil.copyfile", "shutil.copytree", "os.symlink")
                writing = [event in _CHANGING and not (reads_first and i == 0) for i in range(len(paths))]
            for i, path in enumerate(paths):
                resolved = resolve(path)
                if refuse(resolved, writing if isinstance(writing, bool) else writing[i]):
                    raise PermissionError(f"{event} of {os.fsdecode(path)!r} is not allowed while grading")
        finally:
            busy.active = False

    sys.addaudithook(hook)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allow", action="append", default=[], help="a folder this process may read and write")
    parser.add_argument("--deny", action="append", default=[], help="a folder this process may not touch")
    parser.add_argument("what", choices=["kernel", "module"])
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    install(args.allow, args.deny)
    if args.what == "kernel":
        from ipykernel import kernelapp

        sys.argv = ["ipykernel_launcher", *args.rest]
        kernelapp.launch_new_instance()
    else:
        sys.argv = [args.rest[0], *args.rest[1:]]
        runpy.run_module(args.rest[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
