"""Execute every chapter and record what it prints, to show that a change leaves the book's results alone.

    python benchmarks/chapter_outputs.py dump before.json     # in the checkout before the change
    python benchmarks/chapter_outputs.py dump after.json      # in the checkout after it
    python benchmarks/chapter_outputs.py compare before.json after.json

``dump`` executes each chapter of this checkout in a fresh kernel (this checkout's gfbook first on
the kernel's path, JAX's persistent cache off) and writes, for every code cell, its printed text,
its text results and glued values, and the SHA-1 of each figure. ``compare`` lists every line that
differs (consecutive printed chunks joined first) and counts identical cells; wall-clock timings
are the only differences a refactoring should leave. Run by hand, not a test: about a minute per
chapter on two cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

from teaching.notebooks import ROOT, chapters, execute


def cell_outputs(cell) -> list[tuple[str, str]]:
    """A code cell's outputs as (kind, text): printed text joined, text results, figures by hash."""
    found: list[tuple[str, str]] = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            if found and found[-1][0] == "stream":
                found[-1] = ("stream", found[-1][1] + output.text)
            else:
                found.append(("stream", output.text))
        elif output.output_type in ("execute_result", "display_data"):
            for kind, value in sorted(output.get("data", {}).items()):
                if kind == "image/png":
                    found.append((kind, hashlib.sha1(value.encode()).hexdigest()))
                elif kind.startswith(("text/", "application/papermill")):
                    found.append((kind, value if isinstance(value, str) else json.dumps(value, sort_keys=True)))
        elif output.output_type == "error":
            found.append(("error", f"{output.ename}: {output.evalue}"))
    return found


def dump(out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu", "JAX_COMPILATION_CACHE_DIR": ""}
    record = {}
    for path in chapters():
        start = time.perf_counter()
        notebook = execute(path, timeout=600, env=env)
        record[path.name] = [cell_outputs(cell) for cell in notebook.cells if cell.cell_type == "code"]
        print(f"{path.name}: {time.perf_counter() - start:.1f} s", flush=True)
    out.write_text(json.dumps(record, indent=1), encoding="utf-8")


def compare(before: Path, after: Path) -> int:
    old, new = (json.loads(p.read_text(encoding="utf-8")) for p in (before, after))
    same = differ = 0
    for name in sorted(set(old) | set(new)):
        if len(old.get(name, [])) != len(new.get(name, [])):
            print(f"{name}: {len(old.get(name, []))} code cells before, {len(new.get(name, []))} after")
            differ += 1
            continue
        for index, (a, b) in enumerate(zip(old[name], new[name], strict=True)):
            if a == b:
                same += 1
                continue
            differ += 1
            for (kind_a, text_a), (kind_b, text_b) in zip(a, b, strict=False):
                for line_a, line_b in zip(text_a.splitlines(), text_b.splitlines(), strict=False):
                    if (kind_a, line_a) != (kind_b, line_b):
                        print(f"{name} code cell {index}:\n  - {line_a[:150]}\n  + {line_b[:150]}")
            if len(a) != len(b):
                print(f"{name} code cell {index}: {len(a)} outputs before, {len(b)} after")
    print(f"identical code cells: {same}; different: {differ}")
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dump").add_argument("out", type=Path)
    both = commands.add_parser("compare")
    both.add_argument("before", type=Path)
    both.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out)
    else:
        compare(args.before, args.after)


if __name__ == "__main__":
    main()
