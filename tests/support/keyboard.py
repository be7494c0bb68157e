"""Two ways to use a page in the browser tests: with the mouse (clicks and filled fields, as most tests do) or by
keyboard alone (Tab to the element, then Enter, Space or typing), where every focus stop on the way must show a
visible focus. Steps shared by several tests take one of them, so one step serves both kinds of run."""

from __future__ import annotations

from typing import Any, Protocol

from playwright.async_api import Locator

# Where the focus is now, whether it is visible (an outline or a box shadow), and whether it reached `target`.
_FOCUS_STOP = """(target) => {
    const element = document.activeElement;
    if (!element || element === document.body) { return {outside: true}; }
    const style = getComputedStyle(element);
    const visible = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
        || style.boxShadow !== "none";
    const label = element.labels && element.labels.length ? element.labels[0].innerText : "";
    return {
        outside: false,
        reached: element === target,
        inGroup: element.type === "radio" && target.type === "radio" && element.name === target.name,
        text: (element.innerText || element.value || label || element.tagName).trim().slice(0, 80),
        visible,
    };
}"""
MOST_STOPS = 300


async def tab_to(target: Locator) -> None:
    """Presses Tab until `target` has the focus (within a group of radio buttons, the arrow keys move on, as a
    person does); fails if a focus stop on the way shows no visible focus, or if Tab never reaches it."""
    await target.wait_for()
    page = target.page
    stop: dict[str, Any] = await target.evaluate(_FOCUS_STOP)
    for _ in range(MOST_STOPS):
        if not stop["outside"]:
            assert stop["visible"], f"the focus is not visible on {stop['text']!r} ({page.url})"
            if stop["reached"]:
                return
        await page.keyboard.press("ArrowDown" if stop.get("inGroup") else "Tab")
        stop = await target.evaluate(_FOCUS_STOP)
    raise AssertionError(f"Tab never reaches {target} on {page.url}")


class Hands(Protocol):
    """How a test operates the page's controls."""

    async def press(self, target: Locator) -> None:
        """Activates a button, a link or a summary."""

    async def type(self, field: Locator, text: str) -> None:
        """Replaces a text field's content."""

    async def check(self, box: Locator) -> None:
        """Ticks a checkbox or chooses a radio button."""

    async def choose(self, select: Locator, label: str) -> None:
        """Chooses an option of a select box by its text."""


class Mouse:
    async def press(self, target: Locator) -> None:
        await target.click()

    async def type(self, field: Locator, text: str) -> None:
        await field.fill(text)

    async def check(self, box: Locator) -> None:
        await box.check()

    async def choose(self, select: Locator, label: str) -> None:
        await select.select_option(label=label)


class Keyboard:
    """No mouse event at all: Tab to the control, then the key a person would press."""

    async def press(self, target: Locator) -> None:
        await tab_to(target)
        await target.page.keyboard.press("Enter")

    async def type(self, field: Locator, text: str) -> None:
        await tab_to(field)
        await field.page.keyboard.press("Control+A")
        await field.page.keyboard.press("Delete")
        await field.page.keyboard.type(text)

    async def check(self, box: Locator) -> None:
        await tab_to(box)
        if not await box.is_checked():
            await box.page.keyboard.press("Space")

    async def choose(self, select: Locator, label: str) -> None:
        """A closed select box moves through its options with the arrow keys."""
        await tab_to(select)
        labels = [text.strip() for text in await select.locator("option").all_inner_texts()]
        await select.page.keyboard.press("Home")
        for _ in range(labels.index(label)):
            await select.page.keyboard.press("ArrowDown")


MOUSE = Mouse()
KEYBOARD = Keyboard()
