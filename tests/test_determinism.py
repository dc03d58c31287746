"""Executing a chapter twice gives identical text outputs: every seed in the book is explicit.

Chapter 1 is executed in two fresh kernels at once (nbclient, as the build does) and every
printed line and every text result is compared, cell by cell. Chapter 4 is left out on
purpose: it prints wall-clock timings.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from teaching.notebooks import execute

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "01_gradient_flow.ipynb"


def text_outputs(path: Path) -> list[list[str]]:
    notebook = execute(path, timeout=300)
    outputs = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            texts = [o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"]
            texts += [o["data"]["text/plain"] for o in cell.outputs if "text/plain" in o.get("data", {})
                      and not o["data"]["text/plain"].startswith("<Figure")]
            outputs.append(texts)
    return outputs


def test_chapter_outputs_are_identical_across_runs():
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(text_outputs, [CHAPTER, CHAPTER])
    assert sum(len(texts) for texts in first) >= 10, "the chapter prints its measurements"
    for number, (a, b) in enumerate(zip(first, second, strict=True)):
        assert a == b, f"code cell {number} printed different text in two runs"
