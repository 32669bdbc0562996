/* Scrolling as on a phone, with a mouse: rows that swipe sideways, a chat that stays at its newest message. */
"use strict";

const PhoneScroll = (() => {
  const DRAG_PX = 5; // a press that moves less than this is a tap, not a swipe

  /** A sideways row (quick replies, chat list) scrolls with the mouse wheel and by dragging, as a finger swipes it. */
  function sideways(row) {
    row.addEventListener(
      "wheel",
      (event) => {
        const delta = Math.abs(event.deltaX) > Math.abs(event.deltaY) ? event.deltaX : event.deltaY;
        if (!delta || row.scrollWidth <= row.clientWidth) return;
        event.preventDefault(); // the wheel moves the row, not the page behind it
        row.scrollLeft += delta;
      },
      { passive: false },
    );
    let press = null;
    let dragged = false;
    row.addEventListener("pointerdown", (event) => {
      // A finger already swipes natively; only a mouse needs the help.
      if (event.pointerType !== "mouse" || event.button !== 0) return;
      press = { x: event.clientX, left: row.scrollLeft };
      dragged = false;
    });
    window.addEventListener("pointermove", (event) => {
      if (!press) return;
      const dx = event.clientX - press.x;
      if (Math.abs(dx) >= DRAG_PX) dragged = true;
      if (dragged) row.scrollLeft = press.left - dx;
    });
    window.addEventListener("pointerup", () => {
      press = null;
    });
    // The click that ends a drag is not a tap on the button under the mouse.
    row.addEventListener(
      "click",
      (event) => {
        if (!dragged) return;
        dragged = false;
        event.preventDefault();
        event.stopPropagation();
      },
      true,
    );
  }

  /** The chat keeps its newest message in view when it loses height (quick replies, the rich menu's image). */
  function pinnedToEnd(box) {
    let atEnd = true;
    const near = () => box.scrollTop + box.clientHeight >= box.scrollHeight - 24;
    box.addEventListener("scroll", () => {
      atEnd = near();
    });
    new ResizeObserver(() => {
      if (atEnd) box.scrollTop = box.scrollHeight;
    }).observe(box);
    return {
      toEnd() {
        box.scrollTop = box.scrollHeight;
        atEnd = true;
      },
    };
  }

  return { sideways, pinnedToEnd };
})();
