"""The chapters' MyST markup as plain Markdown, for notebooks read in plain Jupyter or Colab.

The website renders MyST (theorems, exercises, cross-references, citations); plain Jupyter,
JupyterLab without jupyterlab-myst, and Colab show it as raw text. :func:`plain_notebook`
rewrites every markdown cell of a notebook so it reads well there, with the numbers the
website shows:

- directives: ``prf`` theorems, lemmas, definitions ... become a quote led by
  "**Theorem 4.1** (Title)."; a proof ends with ∎; ``{math}`` becomes ``$$ ... \\tag{4.1} $$``;
  the gated exercise syntax becomes a heading "Exercise 4.1"; admonitions become quotes,
  figures images with their caption; code fences stay as they are;
- roles: ``{ref}``, ``{numref}``, ``{prf:ref}`` and ``{eq}`` become "Section 4.2", "Fig. 4.1",
  "Theorem 4.1", "(4.1)"; ``{cite:p}`` and ``{cite:t}`` "(Nesterov, 2018)" and "Nesterov (2018)"
  from ``references.bib``; ``{doc}`` the page's title; ``{func}`` the function's name as code;
  ``{math}`` inline maths; ``{glue:...}`` a pointer to the value computed above;
- label lines ``(name)=`` and comments ``% ...`` are dropped; headings get the website's numbers.

The numbers come from :func:`book_index`, which numbers the book as Jupyter Book does:
chapters 1 to 6 in ``_toc.yml`` order, their sections, and per chapter the exercises, each
kind of ``prf`` directive, the labelled equations and the figures, in order.
"""

from __future__ import annotations

import copy
import functools
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from teaching.notebooks import ROOT, chapters, load, source

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<rest>.*?)\s*$")
DIRECTIVE = re.compile(r"\{(?P<name>[\w:.+-]+)\}\s*(?P<argument>.*)")
OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*?)\s*$")
ROLE = re.compile(r"\{(?P<name>[\w:.+-]+)\}`(?P<content>[^`]*)`")
TARGET = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*#*\s*$")
DOLLAR_LABEL = re.compile(r"\$\$(?P<body>(?:(?!\$\$).)+?)\$\$[ \t]*\((?P<label>[^()\s]+)\)", re.S)
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)

PRF_NAMES = {  # sphinx-proof's directives and the names it prints
    "theorem": "Theorem", "lemma": "Lemma", "definition": "Definition", "proposition": "Proposition",
    "corollary": "Corollary", "remark": "Remark", "example": "Example", "conjecture": "Conjecture",
    "axiom": "Axiom", "criterion": "Criterion", "algorithm": "Algorithm", "observation": "Observation",
    "property": "Property", "assumption": "Assumption", "notation": "Notation",
}
ADMONITIONS = {"note", "warning", "tip", "hint", "important", "caution", "attention", "danger", "error", "seealso",
               "admonition", "margin", "sidebar", "epigraph", "pull-quote", "topic"}
CODE_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "literalinclude"}
DROPPED_DIRECTIVES = {"toctree", "tableofcontents", "contents", "exercise-end", "solution-end", "raw", "only",
                      "index", "eval-rst"}
CODE_ROLES = {"func", "meth", "class", "mod", "attr", "data", "obj", "exc", "const", "py:func", "py:meth",
              "py:class", "py:mod", "py:attr", "py:data", "py:obj", "code", "file", "samp", "command",
              "envvar", "program", "option", "kbd"}


@dataclass(frozen=True)
class Target:
    """Something a cross-reference can point to, with the name the website gives it."""

    kind: str  # "chapter", "section", "exercise", "prf", "equation", "figure" or "page"
    name: str  # "Chapter 4", "Section 4.2", "Exercise 4.1", "Theorem 4.1", "(4.1)", "Fig. 4.1", a page title
    title: str = ""


@dataclass
class Index:
    """The book's cross-reference targets by label, page titles by document, citations by key."""

    labels: dict[str, Target]
    pages: dict[str, str]  # document name ("chapters/01_gradient_flow", "bibliography") -> its title
    headings: dict[int, list[tuple[int, str, str]]]  # chapter number -> (level, title, number) in order
    citations: dict[str, tuple[str, str]]  # key -> (authors as the website cites them, year)


# --- the book's numbers --------------------------------------------------------------------------


def _fenced_lines(text: str):
    """Yield (line, fence) for each line; fence is the directive name ("" for code) or None outside fences."""
    stack: list[tuple[str, int, str]] = []  # (fence char, length, directive name)
    for line in text.split("\n"):
        match = FENCE.match(line)
        if stack and match and match["fence"][0] == stack[-1][0] and len(match["fence"]) >= stack[-1][1] \
                and not match["rest"]:
            stack.pop()
            yield line, "close"
            continue
        if match and (not stack or stack[-1][2]):  # a fence opens (inside a code fence nothing does)
            directive = DIRECTIVE.match(match["rest"])
            stack.append((match["fence"][0], len(match["fence"]), directive["name"] if directive else ""))
            yield line, "open"
            continue
        yield line, (stack[-1][2] if stack else None)


def number_chapter(notebook: dict, chapter: int | None, labels: dict[str, Target],
                   headings: list[tuple[int, str, str]] | None = None) -> None:
    """Add the targets of one chapter notebook to ``labels`` (and its headings, numbered, to ``headings``).

    ``chapter``: its number in the book (None: numbers without the chapter's prefix).
    """
    prefix = "" if chapter is None else f"{chapter}."
    counters: dict[str, int] = {}
    section: list[int] = []
    pending: list[str] = []  # labels waiting for the heading they name

    def next_number(kind: str) -> str:
        counters[kind] = counters.get(kind, 0) + 1
        return f"{prefix}{counters[kind]}"

    for cell in notebook.get("cells", []):
        if cell["cell_type"] == "code":
            figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
            if figure:
                number = next_number("figure")
                if figure.get("name"):
                    labels[figure["name"]] = Target("figure", f"Fig. {number}", figure.get("caption", ""))
            continue
        if cell["cell_type"] != "markdown":
            continue
        text = source(cell)
        lines = list(_fenced_lines(text))
        for position, (line, state) in enumerate(lines):
            if state == "open":
                match = DIRECTIVE.match(FENCE.match(line)["rest"])
                if match is None:
                    continue
                name, body = match["name"], []
                for following, _ in lines[position + 1:]:
                    option = OPTION.match(following)
                    if option is None:
                        break
                    body.append(option)
                options = {option["name"]: option["value"] for option in body}
                label = options.get("label") or options.get("name")
                kind = name.removeprefix("prf:")
                if name in ("exercise-start", "exercise"):
                    number = f"Exercise {next_number('exercise')}"
                    target = Target("exercise", number, match["argument"])
                elif name.startswith("prf:") and kind in PRF_NAMES and "nonumber" not in options:
                    target = Target("prf", f"{PRF_NAMES[kind]} {next_number(kind)}", match["argument"])
                elif name == "math" and label:
                    target = Target("equation", f"({next_number('equation')})")
                elif name == "figure":
                    target = Target("figure", f"Fig. {next_number('figure')}")
                else:
                    continue
                if label:
                    labels[label] = target
            elif state is None:
                target_line = TARGET.match(line)
                heading = HEADING.match(line)
                if target_line:
                    pending.append(target_line["label"])
                elif heading:
                    level = len(heading["hashes"])
                    if level == 1:
                        section = []
                        number = "" if chapter is None else str(chapter)
                        target = Target("chapter", f"Chapter {chapter}" if chapter else heading["title"],
                                        heading["title"])
                    else:
                        del section[level - 1:]
                        while len(section) < level - 1:
                            section.append(0)
                        section[level - 2] += 1
                        number = ".".join([*([] if chapter is None else [str(chapter)]), *map(str, section)])
                        target = Target("section", f"Section {number}", heading["title"])
                    if headings is not None:
                        headings.append((level, heading["title"], number))
                    for label in pending:
                        labels[label] = target
                    pending = []
                elif line.strip():
                    pending = []
        for match in DOLLAR_LABEL.finditer(text):  # $$ ... $$ (label): dollarmath's labelled equations
            labels[match["label"]] = Target("equation", f"({next_number('equation')})")


def parse_bibliography(text: str) -> dict[str, tuple[str, str]]:
    """``key -> (authors, year)`` from a BibTeX file, authors as the website cites them ("Karimi et al.")."""
    entries = {}
    for match in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,", text):
        body = text[match.end():]
        depth, end = 1, 0
        while end < len(body) and depth:
            depth += {"{": 1, "}": -1}.get(body[end], 0)
            end += 1
        end -= 1  # the entry's closing brace
        fields = _bib_fields(body[:end])
        names = [name.strip() for name in re.split(r"\s+and\s+", fields.get("author", fields.get("editor", "")))
                 if name.strip()]
        lasts = ["others" if name == "others" else
                 (name.split(",")[0] if "," in name else name.split()[-1]).strip() for name in names]
        if not lasts:
            authors = fields.get("title", match[1])
        elif len(lasts) >= 3 or "others" in lasts:
            authors = f"{lasts[0]} et al."
        else:
            authors = " and ".join(lasts)
        entries[match[1]] = (authors, fields.get("year", "n.d."))
    return entries


def _bib_fields(body: str) -> dict[str, str]:
    fields, position = {}, 0
    pattern = re.compile(r"\s*,?\s*(\w+)\s*=\s*")
    while True:
        match = pattern.match(body, position)
        if match is None:
            break
        start = match.end()
        if start < len(body) and body[start] in "{\"":
            closing, depth, end = ("}" if body[start] == "{" else "\""), 0, start
            for end in range(start, len(body)):
                char = body[end]
                if char == "{":
                    depth += 1
                elif char == "}":
                    depth -= 1
                if (closing == "}" and depth == 0) or (closing == "\"" and end > start and char == "\"" and depth == 0):
                    break
            value, position = body[start + 1:end], end + 1
        else:
            value_match = re.match(r"[^,]*", body[start:])
            value, position = value_match[0], start + value_match.end()
        fields[match[1].lower()] = re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip()
    return fields


@functools.lru_cache(maxsize=1)
def book_index() -> Index:
    """The book's targets, numbered as on the website (chapters in ``_toc.yml`` order)."""
    labels: dict[str, Target] = {}
    pages: dict[str, str] = {}
    headings: dict[int, list[tuple[int, str, str]]] = {}
    for number, path in enumerate(chapters(), start=1):
        notebook = load(path)
        headings[number] = []
        number_chapter(notebook, number, labels, headings[number])
        title = next((title for level, title, _ in headings[number] if level == 1), path.stem)
        pages[f"chapters/{path.stem}"] = title
    for path in sorted(ROOT.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        pending = []
        for line, state in _fenced_lines(text):
            if state is not None:
                continue
            if TARGET.match(line):
                pending.append(TARGET.match(line)["label"])
            elif HEADING.match(line):
                title = HEADING.match(line)["title"]
                pages.setdefault(path.stem, title)
                for label in pending:
                    labels.setdefault(label, Target("page", title, title))
                pending = []
    bib = ROOT / "references.bib"
    citations = parse_bibliography(bib.read_text(encoding="utf-8")) if bib.exists() else {}
    return Index(labels, pages, headings, citations)


# --- converting markdown -------------------------------------------------------------------------


class _Converter:
    def __init__(self, index: Index, document: str, headings: list[tuple[int, str, str]]):
        self.index, self.document, self.headings = index, document, list(headings)

    # roles
    def role(self, match: re.Match) -> str:
        name, content = match["name"], match["content"]
        explicit = EXPLICIT.match(content)
        text, target = (explicit["text"], explicit["target"]) if explicit else ("", content)
        if name in ("ref", "numref", "prf:ref", "eq", "doc", "any"):
            return self.reference(name, text, target.strip())
        if name.startswith("cite"):
            return self.cite(name, content)
        if name == "math":
            return f"${content}$"
        if name.startswith("glue"):
            key = content.split(":")[0].strip()
            return f"the value of `{key}` computed above"
        if name in CODE_ROLES:
            shown = (text or target).strip().lstrip("!")
            if shown.startswith("~"):
                shown = shown[1:].split(".")[-1]
            if name in ("func", "meth", "py:func", "py:meth") and not shown.endswith(")"):
                shown += "()"
            return f"`{shown}`"
        if name in ("sub", "sup"):
            return f"<{name}>{content}</{name}>"
        if name == "term" or name == "abbr":
            return text or target
        return text or target

    def reference(self, role: str, text: str, label: str) -> str:
        if role == "doc":
            folder = posixpath.dirname(self.document)
            page = posixpath.normpath(posixpath.join(folder, label)) if not label.startswith("/") else label[1:]
            title = self.index.pages.get(page, page)
            chapter = next((t for t in self.index.labels.values() if t.kind == "chapter" and t.title == title), None)
            if text:
                return text
            return f"{chapter.name} (*{title}*)" if chapter else f"*{title}*"
        target = self.index.labels.get(label)
        if target is None:
            return text or f"`{label}`"
        if role == "numref" and text:
            return text.replace("%s", target.name.split()[-1]).replace("{number}", target.name.split()[-1])
        if text:
            if target.kind == "page":
                return text
            return f"{text} ({target.name})"
        if target.kind == "chapter":
            return f"{target.name} (*{target.title}*)"
        if target.kind == "page":
            return f"*{target.title}*"
        return target.name

    def cite(self, role: str, content: str) -> str:
        keys = [key.strip() for key in content.split(",") if key.strip()]
        found = [self.index.citations.get(key, (key, "n.d.")) for key in keys]
        if role in ("cite:t", "cite:ts", "cite:ct", "cite:author"):
            return ", ".join(f"{authors} ({year})" for authors, year in found)
        if role == "cite:year":
            return ", ".join(year for _, year in found)
        return "(" + "; ".join(f"{authors}, {year}" for authors, year in found) + ")"

    def inline(self, text: str) -> str:
        text = DOLLAR_LABEL.sub(lambda m: f"$${m['body'].rstrip()} \\tag{{{self._equation(m['label'])}}}$$", text)
        return ROLE.sub(self.role, text)

    def _equation(self, label: str) -> str:
        target = self.index.labels.get(label)
        return target.name.strip("()") if target else label

    def heading(self, line: str) -> str:
        match = HEADING.match(line)
        level, title = len(match["hashes"]), match["title"]
        for position, (known_level, known_title, number) in enumerate(self.headings):
            if known_level == level and known_title == title:
                del self.headings[: position + 1]
                if number:
                    return f"{match['hashes']} {number}. {self.inline(title)}"
                break
        return f"{match['hashes']} {self.inline(title)}"

    # blocks
    def convert(self, text: str) -> str:
        lines = text.split("\n")
        out: list[str] = []
        prose: list[str] = []

        def flush():
            if prose:
                out.extend(self.inline("\n".join(prose)).split("\n"))
                prose.clear()

        i = 0
        while i < len(lines):
            line = lines[i]
            match = FENCE.match(line)
            if match:
                flush()
                fence, indent = match["fence"], match["indent"]
                j = i + 1
                while j < len(lines):
                    closing = FENCE.match(lines[j])
                    if closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence) \
                            and not closing["rest"]:
                        break
                    j += 1
                body = [b[len(indent):] if b.startswith(indent) else b.lstrip() for b in lines[i + 1:j]]
                directive = DIRECTIVE.match(match["rest"])
                if directive is None and fence[0] == ":" and match["rest"]:
                    directive = DIRECTIVE.match("{" + match["rest"].split()[0] + "} "
                                                + " ".join(match["rest"].split()[1:]))
                if directive is None:
                    block = [line[len(indent):], *body, lines[j][len(indent):] if j < len(lines) else fence]
                else:
                    block = self.directive(directive["name"], directive["argument"].strip(), body)
                out.extend(indent + b if b else "" for b in block)
                i = j + 1
                continue
            if TARGET.match(line) or re.match(r"^\s*%", line) or line.strip() == "+++":
                i += 1
                continue
            if HEADING.match(line):
                flush()
                out.append(self.heading(line))
                i += 1
                continue
            prose.append(line)
            i += 1
        flush()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")

    def directive(self, name: str, argument: str, body: list[str]) -> list[str]:
        options: dict[str, str] = {}
        if body and body[0].strip() == "---":  # YAML options
            end = next((k for k in range(1, len(body)) if body[k].strip() == "---"), 0)
            for line in body[1:end]:
                key, _, value = line.partition(":")
                options[key.strip()] = value.strip()
            body = body[end + 1:]
        while body and OPTION.match(body[0]):
            option = OPTION.match(body[0])
            options[option["name"]] = option["value"]
            body = body[1:]
        content = self.convert("\n".join(body)).split("\n") if any(b.strip() for b in body) else []
        label = options.get("label") or options.get("name")
        target = self.index.labels.get(label) if label else None
        title = self.inline(argument)
        kind = name.removeprefix("prf:")
        if name in DROPPED_DIRECTIVES:
            return []
        if name == "prf:proof":
            lead = "*Proof.*" + (f" ({title})" if title else "")
            if content and content[-1].rstrip().endswith("$$"):
                content = [*content, "", "∎"]
            elif content:
                content[-1] += " ∎"
            else:
                return [lead + " ∎"]
            if re.match(r"^(\$\$|[-*+] |\d+\. |>|#)", content[0].lstrip()):
                return [lead, "", *content]
            return [f"{lead} {content[0]}", *content[1:]]
        if name.startswith("prf:") and kind in PRF_NAMES:
            number = target.name if target else PRF_NAMES[kind]
            return _quote([f"**{number}**" + (f" ({title})." if title else "."), "", *content])
        if name == "math":
            if "nowrap" in options:
                return ["$$", *body, "$$"]
            tex = "\n".join(body).strip("\n")
            if "\\\\" in tex and "\\begin" not in tex:
                tex = f"\\begin{{split}}\n{tex}\n\\end{{split}}"
            tag = f" \\tag{{{target.name.strip('()')}}}" if target else ""
            return ["$$", tex + tag, "$$"]
        if name in ("exercise-start", "exercise"):
            number = target.name if target else "Exercise"
            return [f"### {number}" + (f" ({title})" if title else ""), "", *content]
        if name in ("solution-start", "solution"):
            solved = self.index.labels.get(argument)
            return [f"**Solution to {solved.name if solved else argument}.**", "", *content]
        if name in ADMONITIONS:
            lead = title if name == "admonition" or (title and name not in ("note", "warning")) else name.capitalize()
            if name == "seealso":
                lead = "See also"
            return _quote([f"**{lead}.**", "", *content])
        if name in ("figure", "image"):
            alt = options.get("alt", "")
            lines = [f"![{alt}]({argument})"]
            if name == "figure":
                number = target.name if target else "Figure"
                lines += ["", f"*{number}: {' '.join(content).strip()}*"]
            return lines
        if name.startswith("glue"):
            key = argument.split(":")[0]
            return [f"*(The figure `{key}` computed above.)*" if name == "glue:figure"
                    else f"*(The value of `{key}` computed above.)*"]
        if name == "bibliography":
            return ["The works cited are listed in the book's bibliography."]
        if name in CODE_DIRECTIVES:
            return ["```" + (argument.split()[0] if argument else ""), *body, "```"]
        if name in ("math", "div", "container", "card", "grid", "grid-item", "tab-set", "tab-item", "dropdown"):
            return ([f"**{title}**", ""] if title else []) + content
        return _quote([f"**{title or name.split(':')[-1].capitalize()}.**", "", *content])


def _quote(lines: list[str]) -> list[str]:
    """``lines`` as a Markdown quote, each display formula on one line (a ``>`` inside $$ ... $$ would be TeX)."""
    joined: list[str] = []
    math: list[str] | None = None
    indent = ""
    for line in lines:
        stripped = line.strip()
        if math is not None:
            math.append(stripped)
            if stripped.endswith("$$"):
                joined.append(indent + " ".join(math))
                math = None
        elif stripped.startswith("$$") and not (len(stripped) > 2 and stripped.endswith("$$")):
            math, indent = [stripped], line[: len(line) - len(line.lstrip())]
        else:
            joined.append(line)
    if math is not None:
        joined.append(indent + " ".join(math))
    while joined and not joined[-1].strip():
        joined.pop()
    return [f"> {line}" if line.strip() else ">" for line in joined]


def plain_markdown(text: str, *, document: str = "chapters/page", index: Index | None = None,
                   headings: list[tuple[int, str, str]] = ()) -> str:
    """``text`` (MyST Markdown of the page ``document``) as plain Markdown; see the module's docstring."""
    return _Converter(index or book_index(), document, list(headings)).convert(text)


def chapter_number(notebook: dict) -> int | None:
    """The book's number of the chapter ``notebook`` is (a version of), found by its first label; None otherwise."""
    index = book_index()
    for cell in notebook.get("cells", []):
        if cell["cell_type"] == "markdown":
            for line in source(cell).split("\n"):
                match = TARGET.match(line)
                target = index.labels.get(match["label"]) if match else None
                if target is not None and target.kind == "chapter":
                    return int(target.name.split()[-1])
    return None


def plain_notebook(notebook: dict, *, chapter: int | None = None) -> dict:
    """A copy of ``notebook`` with every markdown cell in plain Markdown, numbered as on the website.

    ``chapter``: the book's number of this chapter (default: found from its labels). Labels the
    book does not have (a notebook that is not a chapter) are numbered from the notebook itself.
    A figure made by a code cell gets its number and caption in a markdown cell after it.
    """
    index = book_index()
    chapter = chapter_number(notebook) if chapter is None else chapter
    own: dict[str, Target] = {}
    number_chapter(notebook, chapter, own)
    merged = Index({**own, **index.labels}, index.pages, index.headings, index.citations)
    document = f"chapters/{chapters()[chapter - 1].stem}" if chapter and chapter <= len(chapters()) else "chapters/page"
    converter = _Converter(merged, document, index.headings.get(chapter, []) if chapter else [])
    out = copy.deepcopy(notebook)
    cells = []
    for cell in out["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = converter.convert(source(cell))
            if not cell["source"].strip():
                continue
        cells.append(cell)
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure") if cell["cell_type"] == "code" else None
        if figure and figure.get("caption"):
            target = merged.labels.get(figure.get("name", ""))
            caption = converter.inline(figure["caption"])
            cells.append({"cell_type": "markdown", "id": f"{cell.get('id', 'cell')}-caption"[:64], "metadata": {},
                          "source": f"*{target.name if target else 'Figure'}: {caption}*"})
    out["cells"] = cells
    return out


def leftover_markup(text: str) -> list[str]:
    """The MyST syntax left in ``text``: roles (``{name}`` then a backtick) and directive fences (a fence then ``{``)."""
    found = [m[0] for m in ROLE.finditer(text)]
    found += [line for line in text.split("\n") if re.match(r"^\s*(`{3,}|~{3,}|:{3,})\s*\{", line)]
    found += [line for line in text.split("\n") if TARGET.match(line)]
    return found


def pages_of(root: Path = ROOT) -> list[Path]:
    """The Markdown pages of the book (for tests and tools that read them)."""
    return sorted(root.glob("*.md"))
