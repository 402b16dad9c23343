"""The course as one PDF (`make pdf`): every page in it, diagrams drawn, contents and internal links.

The PDF is made by the command `make pdf` runs (`python -m course pdf`), into a
temporary folder, keeping the print site it was printed from. Pages are read
with poppler-utils (pdftotext, pdftoppm) and the links with pypdf.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from course import diagrams, doctor
from site_checks.building import ROOT, site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()
DIAGRAM = re.compile(r'<div class="diagram"[\s>]')  # drawn at build time (scripts/course/diagrams.py)


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
    return [" ".join(label.split()) for label in found if label.strip()]


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
