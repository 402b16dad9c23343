"""course.codespans: fewer spans in highlighted code, the same text in the same colours."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest

from site_checks.building import ROOT

EXTENSIONS = ["pymdownx.highlight", "pymdownx.superfences"]
CONFIG = {"pymdownx.highlight": {"pygments_lang_class": True}}
# Classes that draw a blank: a background. Other classes only colour the text.
BLANK_SHOWS = {"hll", "gd", "gi"}


class Characters(HTMLParser):
    """Each character of a page's code blocks with the classes it is drawn with."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.chars: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append((tag, dict(attrs).get("class") or ""))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not any(tag == "code" for tag, _ in self.stack):
            return
        classes = tuple(c for tag, c in self.stack if tag == "span" and c)
        self.chars += [(char, drawn_with(char, classes)) for char in data]


def drawn_with(char: str, classes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in classes if c in BLANK_SHOWS) if char.isspace() else classes


def characters(html: str) -> list[tuple[str, tuple[str, ...]]]:
    parser = Characters()
    parser.feed(html)
    return parser.chars


def render(source: str, slim: bool) -> str:
    extensions = EXTENSIONS + (["course.codespans"] if slim else [])
    return markdown.markdown(source, extensions=extensions, extension_configs=CONFIG)


def spans(html: str) -> int:
    return html.count("<span")


SAMPLES = {
    "JavaScript with highlighted lines": (
        '``` js hl_lines="2 3"\n'
        + (ROOT / "examples/running-containers/07-compose/src/server.js").read_text(encoding="utf-8")
        + "\n```\n"
    ),
    "diff": "``` diff\n- old line\n+ new line\n+ another\n```\n",
    "console": "``` console\n$ docker run --rm hello-world\n\nHello from Docker!\n```\n",
    "Compose file": "``` yaml\n" + (ROOT / "examples/running-containers/07-compose/compose.yaml").read_text() + "```\n",
}


@pytest.mark.parametrize("source", SAMPLES.values(), ids=SAMPLES.keys())
def test_every_character_keeps_its_colour(source):
    assert characters(render(source, slim=True)) == characters(render(source, slim=False))


def test_whitespace_spans_go_and_same_colour_tokens_join():
    source = SAMPLES["JavaScript with highlighted lines"]
    plain, slim = render(source, slim=False), render(source, slim=True)
    assert 'class="w"' in plain and 'class="w"' not in slim
    assert spans(slim) < 0.75 * spans(plain), (spans(plain), spans(slim))
    assert slim.count('class="hll"') == plain.count('class="hll"') == 2


def test_highlighted_lines_stay_apart():
    source = '``` text hl_lines="1 2"\nfirst\nsecond\n```\n'
    assert render(source, slim=True).count('<span class="hll">') == 2


def test_code_outside_highlighted_blocks_is_untouched():
    source = 'Raw: <code><span class="w"> </span></code>\n'
    assert render(source, slim=True) == render(source, slim=False)


def test_the_built_site_has_no_whitespace_spans(site):
    pages = [page for page in site.site_dir.rglob("*.html") if '<span class="w">' in page.read_text(encoding="utf-8")]
    assert pages == [], f"whitespace spans left in {pages[:3]}"
