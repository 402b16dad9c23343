"""The practice boxes in the states a reader puts them in, in Chromium (Playwright); the same
flows in Firefox are tests/site_checks/firefox.mjs. The measures are states.js, shared."""

from __future__ import annotations

from pathlib import Path

STATES_JS = Path(__file__).with_name("states.js").read_text(encoding="utf-8")
MIN_CONTRAST = 4.5  # WCAG 2 AA, normal text
STATES = ("at rest", "hovered", "focused", "after a click")


def install(page) -> None:
    page.evaluate(STATES_JS)


def away(page) -> None:
    """The pointer off every box, and nothing focused."""
    page.mouse.move(1, 1)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def button_states(page, seen: set[str]) -> list[dict]:
    """Each kind of practice button on the page not in `seen` (which it joins), measured at
    rest, hovered, focused by the keyboard (Shift+Tab, Tab) and after a click (the pointer
    moved away): {kind, text, states: {state: states.js's contrast()}}."""
    install(page)
    found = []
    selector = page.evaluate("() => window.__practice.BUTTONS")
    for kind in page.evaluate("() => window.__practice.buttons()"):
        if kind["kind"] in seen:
            continue
        seen.add(kind["kind"])
        button = page.locator(selector).nth(kind["index"])
        button.scroll_into_view_if_needed()

        def measure(button=button) -> dict:
            return button.evaluate("(el) => window.__practice.contrast(el)")

        states = {}
        away(page)
        states["at rest"] = measure()
        button.hover()
        states["hovered"] = measure()
        if not states["at rest"]["disabled"]:
            away(page)
            button.focus()
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")
            states["focused"] = measure()
            away(page)
            button.click()
            page.mouse.move(1, 1)
            states["after a click"] = measure()
        found.append({**kind, "states": states})
    return found


def contrast_problems(found: list[dict], where: str) -> list[str]:
    """Every state below MIN_CONTRAST, and every state the flow did not reach (a check of
    nothing would pass)."""
    problems = []
    for button in found:
        name = f"{where}: the button {button['text']!r} ({button['kind']})"
        for state, m in button["states"].items():
            reached = {
                "at rest": not (m["hover"] or m["focus"]),
                "hovered": m["hover"],
                "focused": m["focus"] and m["focusVisible"],
                "after a click": not m["hover"],
            }[state]
            if not reached:
                problems.append(f"{name} is not {state}: {m}")
            if m["ratio"] < MIN_CONTRAST:
                problems.append(
                    f"{name} {state}: contrast {m['ratio']}:1 ({m['color']} on {m['background']}), "
                    f"below {MIN_CONTRAST}:1"
                )
        if not button["states"]["at rest"]["disabled"] and set(button["states"]) != set(STATES):
            problems.append(f"{name}: measured {sorted(button['states'])}, not every state")
    return problems


# --------------------------------------------------------------------------- practice pages and boxes
def practice_pages(site_dir: Path, pages) -> list:
    """A few pages that hold between them every kind of practice box (an element with
    data-course-script; its kind the feature and the element's first class): the page with
    most kinds not yet covered, then the next. Every kind of box and button in a few visits."""
    from bs4 import BeautifulSoup

    kinds_of = {}
    for page in pages:
        html = (site_dir / page.dest).read_text(encoding="utf-8")
        if "data-course-script" in html:
            kinds_of[page] = {
                (el["data-course-script"], (el.get("class") or [""])[0])
                for el in BeautifulSoup(html, "html.parser").select("[data-course-script]")
            }
    chosen, covered = [], set()
    while kinds_of and any(kinds - covered for kinds in kinds_of.values()):
        page = max(kinds_of, key=lambda p: len(kinds_of[p] - covered))  # the first of the best
        chosen.append(page)
        covered |= kinds_of.pop(page)
    return chosen


LIMIT_MS = 1000  # the limit: each action answered within a second


def sized(text: str, size: int) -> str:
    return (text * (size // len(text) + 1))[:size]


def boxes(page) -> list[dict]:
    """The first textarea of each kind of practice box on the page: {kind, selector}."""
    install(page)
    found = page.evaluate("() => window.__practice.boxes()")
    selector = page.evaluate("() => window.__practice.BOXES")
    return [{"kind": b["kind"], "selector": f"{selector} >> nth={b['index']}"} for b in found]


def paste_answers(page, selector: str, text: str, sizes) -> dict:
    """Into the box, a paste of the most it takes and of each size (Ctrl+V from the clipboard:
    {"limit": the most, "keeps": how it takes more (states.js's keeps), size: what it did}), then
    the time until the page has drawn its answer to a click on the box's button, to a key typed at
    its end and to clearing it (select all, Delete), as states.js's afterNext measures it; and what
    it held (how much, and what of the paste: states.js's held), noted, and showed in its live
    regions. As firefox.mjs's paste()."""
    install(page)
    box = page.locator(selector)
    button = box.evaluate_handle("(el) => window.__practice.buttonAfter(el)").as_element()

    def timed(kind: str, action) -> int:
        page.evaluate("(kind) => { window.__answered = window.__practice.afterNext(kind); }", kind)
        action()
        return page.evaluate("() => window.__answered")

    limit = box.evaluate("(el) => window.__practice.limit(el)")
    out = {"limit": limit, "keeps": box.evaluate("(el) => window.__practice.keeps(el)")}
    for size in dict.fromkeys([limit, *sizes]):
        page.evaluate("(t) => window.__practice.copy(t)", sized(text, size))
        box.focus()
        for key in ("Control+a", "Delete", "Control+v"):
            page.keyboard.press(key)
        held = box.evaluate("(el) => el.value.length")
        of_paste = box.evaluate("(el) => window.__practice.held(el)")
        note = box.evaluate("(el) => window.__practice.note(el)")
        ms = {"checking": timed("click", button.click)}
        live = box.evaluate("(el) => window.__practice.liveText(el)")
        box.focus()
        page.keyboard.press("Control+End")
        ms["editing"] = timed("keydown", lambda: page.keyboard.press("x"))
        page.keyboard.press("Control+a")
        ms["clearing"] = timed("keydown", lambda: page.keyboard.press("Delete"))
        out[size] = {
            "held": held,
            "of paste": of_paste,
            "note": note,
            "ms": ms,
            "live": live,
            "left": box.evaluate("(el) => el.value.length"),
        }
    return out


def paste_problems(where: str, answers: dict, least: int) -> list[str]:
    """A box takes at least `least` characters; a paste up to its limit is held whole, a larger
    one refused with a note, or, in a box that keeps the end (the error finder's), held as its
    last lines (at most the limit), with a note that says so; either way the box answers
    checking, editing and clearing within LIMIT_MS, echoes no paste into a live region, and is
    empty after clearing."""
    limit = answers["limit"]
    keeps = answers["keeps"] == "end"
    problems = [f"{where}: the box takes only {limit:,} characters"] if limit < least else []
    for size, got in ((int(size), got) for size, got in answers.items() if str(size).isdigit()):
        name = f"{where}, after a paste of {size:,} characters"
        held = f"it holds {got['held']:,} ({got['of paste']}); note {got['note']!r}"
        if size <= limit and (got["held"] != size or got["of paste"] != "all"):
            problems.append(f"{name}: not held whole ({held})")
        if size > limit and keeps:
            kept = 0 < got["held"] <= limit and got["of paste"] == "lines"
            if not (kept and got["note"].startswith("Pasted the last")):
                problems.append(f"{name}: its last lines not kept ({held})")
        elif size > limit and (got["held"] or not got["note"].startswith("Not pasted")):
            problems.append(f"{name}: not refused ({held})")
        problems += [
            f"{name}: {action} took {ms} ms to answer (limit {LIMIT_MS} ms)" if ms >= 0 else f"{name}: no {action}"
            for action, ms in got["ms"].items()
            if ms > LIMIT_MS or ms < 0
        ]
        if got["live"] > 2000:
            problems.append(f"{name}: a live region holds {got['live']:,} characters (the paste?)")
        if got["left"]:
            problems.append(f"{name}: {got['left']:,} characters left after select all, Delete")
    return problems
