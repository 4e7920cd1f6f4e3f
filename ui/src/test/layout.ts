// jsdom lays nothing out: every element is 0 px tall and nothing scrolls. The virtualised
// lists need a viewport to decide which rows to render, so tests that look at them give the
// scroll box a height and let scrollTo move it as a browser would.
import { onTestFinished, vi } from "vitest";

import { ROW_HEIGHT } from "../components/AssetTable";

/** The height a test gives every virtual list's scroll box, in px (10 rows of 44 px). */
export const VIEWPORT_PX = 440;

function isVirtualBox(element: HTMLElement): boolean {
  return element.classList.contains("virtual-scroll");
}

export function layOutVirtualLists(viewportPx = VIEWPORT_PX): void {
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockImplementation(function (
    this: HTMLElement,
  ) {
    return isVirtualBox(this) ? viewportPx : 0;
  });
  // What a browser would lay out: a header row and every row of the table's row count.
  vi.spyOn(HTMLElement.prototype, "scrollHeight", "get").mockImplementation(function (
    this: HTMLElement,
  ) {
    const rows = Number(this.querySelector("table")?.getAttribute("aria-rowcount") ?? 0);
    return isVirtualBox(this) ? rows * ROW_HEIGHT : 0;
  });
  function scrollTo(this: Element, options?: ScrollToOptions | number, y?: number): void {
    this.scrollTop = typeof options === "number" ? (y ?? 0) : (options?.top ?? this.scrollTop);
    this.dispatchEvent(new Event("scroll"));
  }
  Object.defineProperty(Element.prototype, "scrollTo", {
    configurable: true,
    writable: true,
    value: scrollTo,
  });
  onTestFinished(() => {
    delete (Element.prototype as { scrollTo?: unknown }).scrollTo;
  });
}

/** Scrolls a virtual list's box to `top` px, as the user's wheel would. */
export function scrollBox(box: HTMLElement, top: number): void {
  box.scrollTop = top;
  box.dispatchEvent(new Event("scroll"));
}
