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
