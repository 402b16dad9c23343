"""The course as one PDF (`make pdf`): every page in it, diagrams drawn, contents and internal links.

The PDF is made by the command `make pdf` runs (`python -m course pdf`), into a
temporary folder, keeping the print site it was printed from. Pages are read
with poppler-utils (pdftotext, pdftoppm); the links and the size of each diagram's
labels (the font size of its text as set on the A4 page, in points) with pypdf.
"""

from __future__ import annotations

import html
import math
import os
import re
import statistics
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from course import diagrams, doctor, practice
from site_checks.building import ROOT, site_pages

# One xdist worker for the module: its fixture makes the PDF once, not once per worker that
# gets one of its tests (a module-scoped fixture is per worker; the PDF took about a minute twice).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("pdf")]

PAGES = site_pages()
MIN_LABEL_PT = 8.0
DIAGRAM = re.compile(r'<div [^>]*\bclass="diagram"')  # drawn at build time (scripts/course/diagrams.py)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """(PDF path, print site folder)."""
    for tool in ("pdftotext", "pdftoppm", "pdfinfo"):
        try:
            doctor.tool(tool)
        except doctor.Missing as missing:
            pytest.fail(str(missing), pytrace=False)
    work = tmp_path_factory.mktemp("pdf")
    output, site_dir = work / "docker-basics.pdf", work / "print-site"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts"), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "course", "pdf", "--output", str(output), "--site-dir", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"`python -m course pdf` failed:\n{result.stdout}{result.stderr}"
    assert output.is_file() and output.read_bytes().startswith(b"%PDF-")
    return output, site_dir


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(
        [doctor.tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f")][: page_count(pdf)]


def page_count(pdf: Path) -> int:
    info = subprocess.run([doctor.tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def labels(source: str) -> list[str]:
    """Texts a Mermaid diagram shows: quoted labels, message and transition texts, participants."""
    found = []
    for line in source.splitlines():
        line = line.strip()
        if line.startswith(("accTitle", "accDescr", "%%")):
            continue
        found += re.findall(r'"([^"]{3,})"', line)
        found += re.findall(r"^(?:participant|actor)\s+\S+\s+as\s+(.+)$", line)
        if "--" in line or "->>" in line:
            found += re.findall(r":\s*([^:\"]{3,})$", line)
    parts = [part for label in found for part in re.split(r"<br\s*/?>", label)]  # one line each
    return [" ".join(part.split()) for part in parts if part.strip()]


def colored_fraction(pdf: Path, number: int, tmp_path: Path) -> float:
    """Share of the page's pixels that are coloured (Mermaid's boxes), from a 50 dpi rendering."""
    prefix = tmp_path / f"page-{number}"
    subprocess.run(
        [
            doctor.tool("pdftoppm"),
            "-r",
            "50",
            "-f",
            str(number),
            "-l",
            str(number),
            "-singlefile",
            str(pdf),
            str(prefix),
        ],
        check=True,
    )
    data = Path(f"{prefix}.ppm").read_bytes()
    match = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    width, height = int(match.group(1)), int(match.group(2))
    pixels = data[match.end() :]
    colored = 0
    for i in range(0, width * height * 3, 3):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        if max(r, g, b) - min(r, g, b) > 12 and min(r, g, b) < 250:
            colored += 1
    return colored / (width * height)


def test_every_page_is_in_the_pdf(printed):
    pdf, site_dir = printed
    count = page_count(pdf)
    assert count >= len(PAGES), f"{count} PDF pages for {len(PAGES)} course pages"
    text = " ".join(page_texts(pdf))
    for page in PAGES:
        built = (site_dir / page.dest).read_text(encoding="utf-8")
        title = html.unescape(re.search(r"<h1[^>]*>(.*?)(?:<a class=\"headerlink\".*?)?</h1>", built, re.S).group(1))
        title = " ".join(re.sub(r"<[^>]+>", "", title).split())
        assert title in text, f"{page.source}: its title {title!r} is not in the PDF"


def test_diagrams_are_drawn_on_their_pages(printed, tmp_path):
    pdf, site_dir = printed
    print_page = (site_dir / "print_page" / "index.html").read_text(encoding="utf-8")
    pages = {p.source for p in PAGES}
    sources = [d.source for d in diagrams.find_diagrams(ROOT / "docs") if d.page in pages]
    on_print_page = len(DIAGRAM.findall(print_page))
    assert on_print_page == len(sources) > 0, f"{on_print_page} diagrams on the print page, {len(sources)} in docs/"
    texts = page_texts(pdf)
    problems = []
    for source in sources:
        wanted = labels(source)
        assert wanted, f"no labels found in the diagram source:\n{source}"
        hits = [sum(label in text for label in wanted) for text in texts]
        best = max(range(len(texts)), key=lambda i: hits[i])
        title = re.search(r"accTitle:\s*(.+)", source)
        name = title.group(1) if title else source.splitlines()[0]
        if hits[best] < max(2, len(wanted) // 2):
            problems.append(f"{name}: only {hits[best]} of its {len(wanted)} labels on any PDF page ({wanted})")
            continue
        fraction = colored_fraction(pdf, best + 1, tmp_path)
        if fraction < 0.01:
            problems.append(f"{name}: PDF page {best + 1} is nearly blank ({fraction:.2%} coloured pixels)")
    assert problems == [], problems


def test_contents_and_internal_links(printed):
    try:
        from pypdf import PdfReader
    except ImportError:
        pytest.fail("pypdf is missing: it is pinned in requirements.in (make deps)", pytrace=False)
    pdf, _ = printed
    reader = PdfReader(str(pdf))
    texts = page_texts(pdf)
    contents = next((i for i, text in enumerate(texts[:4]) if text.startswith("Contents")), None)
    assert contents is not None, "no table of contents on the first pages"
    # The contents run over as many pages as they need, up to the first chapter ("1 Docker Basics").
    first_chapter = next(i for i in range(contents + 1, len(texts)) if re.match(r"1 \S", texts[i]))
    contents_pages = range(contents, first_chapter)

    destinations = reader.named_destinations
    internal, broken, from_contents = 0, [], 0
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            target = annotation.get("/Dest")
            if target is None and action is not None and action.get("/S") == "/GoTo":
                target = action.get("/D")
            if target is None:
                continue
            internal += 1
            from_contents += number in contents_pages
            if isinstance(target, str) and target not in destinations:
                broken.append(f"page {number + 1} -> {target}")
    assert broken == [], f"internal links to destinations that do not exist: {broken}"
    assert from_contents >= len(PAGES), f"{from_contents} links in the contents for {len(PAGES)} pages"
    assert internal > from_contents, "no internal links outside the table of contents"
    assert reader.outline, "the PDF has no outline (bookmarks)"


def normalized(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


class TextRuns:
    """Per PDF page, in the order of its content: each piece of text as drawn, with its size in
    points (the font size times the scale of the text and of the page). Read on first use: pypdf
    takes about 25 s for every page of the book, and only the pages with a diagram are needed."""

    def __init__(self, pdf: Path) -> None:
        from pypdf import PdfReader

        self.pages = PdfReader(str(pdf)).pages
        self.read: dict[int, list[tuple[str, float]]] = {}

    def __getitem__(self, number: int) -> list[tuple[str, float]]:
        if number not in self.read:
            runs = []

            def visit(text, cm, tm, font, size):
                if text.strip():
                    # The text's vertical scale on the page: the text matrix times the current matrix.
                    c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
                    runs.append((normalized(text), size * math.hypot(c, d)))

            self.pages[number].extract_text(visitor_text=visit)
            self.read[number] = runs
        return self.read[number]


def printed_diagrams(site_dir: Path) -> list[tuple[str, list[str]]]:
    """(title, the lines of text it shows) of every diagram on the print page, in order."""
    soup = BeautifulSoup((site_dir / "print_page" / "index.html").read_text(encoding="utf-8"), "html.parser")
    found = []
    for host in soup.select("div.diagram"):
        svg = host.find("svg")
        title = svg.find("title").get_text(" ", strip=True) if svg.find("title") else f"diagram {len(found) + 1}"
        for hidden in svg.find_all(["style", "title", "desc"]):
            hidden.extract()
        found.append((title, [normalized(s) for s in svg.find_all(string=True) if normalized(s)]))
    return found


def diagram_page(lines: list[str], texts: list[str], first: int) -> int:
    """The PDF page (from `first` on: diagrams come in order) whose text shows most of these label
    lines. A label that wraps is several pieces of text in the PDF, joined again by the page's text."""
    wanted = {line for line in lines if len(line) >= 3} or set(lines)

    def shown(number: int) -> int:
        return sum(line in texts[number] for line in wanted)

    return max(range(first, len(texts)), key=shown)


def diagram_text(lines: list[str], runs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    text = " | ".join(lines)
    stretches, current = [], []
    for run in runs:
        if run[0] in text:
            current.append(run)
        elif current:
            stretches, current = [*stretches, current], []
    stretches.append(current)
    return max(stretches, key=lambda stretch: len({run[0] for run in stretch}))


def test_diagram_labels_are_at_least_8_pt(printed):
    """Every diagram's labels, as set on the A4 pages of the PDF, are 8 pt or more."""
    pdf, site_dir = printed
    runs, diagrams_printed = TextRuns(pdf), printed_diagrams(site_dir)
    texts = [normalized(text) for text in page_texts(pdf)]
    problems, sizes, number = [], [], 0
    for title, lines in diagrams_printed:
        number = diagram_page(lines, texts, number)
        # Its text on that page: the longest stretch of pieces of text, one after the other in
        # the page's content, that are each a label or a line of one (the page's own text
        # around it may repeat a label now and then, but not dozens in a row).
        mine = diagram_text(lines, runs[number])
        matched = {line for line in lines if any(run[0] in line for run in mine)}
        if len(matched) < max(1, len(lines) // 2):
            problems.append(f"{title}: only {len(matched)} of its {len(lines)} labels found on PDF page {number + 1}")
            continue
        smallest = min(mine, key=lambda run: run[1])
        sizes.append(f"{title}: {smallest[1]:.1f} pt (PDF page {number + 1})")
        if smallest[1] < MIN_LABEL_PT:
            problems.append(
                f"{title}: its smallest label {smallest[0]!r} is {smallest[1]:.1f} pt on PDF page {number + 1}, "
                f"under {MIN_LABEL_PT:g} pt"
            )
    assert diagrams_printed, "the print page has no diagram"
    assert problems == [], "\n".join(problems + ["measured:"] + sizes)


def page_lines(pdf: Path) -> list[list[str]]:
    """Each PDF page's lines of text, without blank lines and the footer ("Page 12")."""
    text = subprocess.run(
        [doctor.tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in text.split("\f")[: page_count(pdf)]:
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        pages.append([line for line in lines if not re.fullmatch(r"Page \d+", line)])
    return pages


def headings(site_dir: Path) -> set[str]:
    """The text of every heading of the print page (h1 to h4), without its permalink sign."""
    soup = BeautifulSoup((site_dir / "print_page" / "index.html").read_text(encoding="utf-8"), "html.parser")
    for link in soup.select("a.headerlink"):
        link.extract()
    found = {" ".join(h.get_text(" ", strip=True).split()) for h in soup.select("h1, h2, h3, h4")}
    return {h for h in found if len(h) >= 4}


def set_large(line: str, runs: list[tuple[str, float]]) -> bool:
    """Is `line` set larger than the page's text (a heading, not a list item of the same words)?
    Its longest piece of text against the page's median size."""
    pieces = [run for run in runs if run[0] and run[0] in line]
    if not pieces:
        return False
    body = statistics.median(size for _, size in runs)
    return max(pieces, key=lambda run: len(run[0]))[1] >= 1.15 * body


def ends_heading(line: str, title: str) -> bool:
    """Is `line` the heading `title` (numbered or not), or the last line of it where it wraps?"""
    return bool(re.fullmatch(r"(?:[\d.]+ )?" + re.escape(title), line)) or (len(line) >= 8 and title.endswith(line))


def test_no_page_ends_with_a_heading(printed):
    """A heading (a lab's above all) is never left alone at the foot of a page: the print CSS
    keeps it with what follows. Read as the last line of each page, the contents left out: a
    last line with a heading's words, set larger than the page's text."""
    pdf, site_dir = printed
    pages, titles, runs = page_lines(pdf), headings(site_dir), TextRuns(pdf)
    contents = next(i for i, lines in enumerate(pages[:4]) if lines and lines[0].startswith("Contents"))
    first_chapter = next(i for i in range(contents + 1, len(pages)) if re.match(r"1 \S", " ".join(pages[i])))
    labs = [f"Lab: {practice.parse_lab(f.source)['title']}" for f in practice.find_all() if f.kind == "lab"]
    assert all(lab in titles for lab in labs), f"lab headings {labs} not among the print page's headings"
    alone = [
        f"PDF page {number + 1} ends with the heading {lines[-1]!r}"
        for number, lines in enumerate(pages)
        # A page with its heading only is a part's title page (mkdocs-print-site-plugin's), alone by design.
        if number >= first_chapter
        and len(lines) > 1
        and any(ends_heading(lines[-1], title) for title in titles)
        and set_large(lines[-1], runs[number])
    ]
    assert alone == [], "\n".join(alone)


def test_a_printed_lab_says_what_to_run_with_no_box(printed):
    """On paper a lab has no box to paste into: it says to run its commands, shows them, and
    says where the verdict is read."""
    pdf, _ = printed
    text = " ".join(page_texts(pdf))
    squeezed = re.sub(r"\s+", "", text)
    problems = []
    for found in (f for f in practice.find_all() if f.kind == "lab"):
        spec = practice.parse_lab(found.source)
        # The lab itself (its heading, then its goal), not its line in the contents or a mention.
        found_at = re.search(re.escape(f"Lab: {spec['title']}") + r".{0,80}?Goal\.", text)
        lab = text[found_at.start() :][:6000] if found_at else ""
        if not lab:
            problems.append(f"{found.page}: the lab {spec['title']!r} is not in the PDF")
            continue
        if "paste" in lab.split("What the check looks at")[0].split("Check your work.")[-1]:
            problems.append(f"{found.page}: the printed lab says to paste: {lab[:300]!r}")
        if "shows whether your work meets each point of What the check looks at" not in lab:
            problems.append(f"{found.page}: the printed lab does not say what to compare the output with")
        for command in spec["commands"]:
            if re.sub(r"\s+", "", command["command"]) not in re.sub(r"\s+", "", lab):
                problems.append(f"{found.page}: the command {command['command']!r} is not printed in its lab")
    assert squeezed and problems == [], "\n".join(problems)
