/* Flex Message rendering: bubbles and carousels of boxes, texts, buttons, separators,
   images (placeholders), icons, fillers and spans, laid out the way LINE lays them out. */
"use strict";

const FlexRender = (() => {
  const SPACING = { none: "0px", xs: "2px", sm: "4px", md: "8px", lg: "12px", xl: "16px", xxl: "20px" };
  const TEXT_SIZE = { xxs: "11px", xs: "13px", sm: "14px", md: "16px", lg: "19px", xl: "22px", xxl: "29px", "3xl": "35px", "4xl": "48px", "5xl": "74px" };
  const IMAGE_SIZE = { xxs: "40px", xs: "60px", sm: "80px", md: "100px", lg: "120px", xl: "140px", xxl: "160px", "3xl": "180px", "4xl": "200px", "5xl": "220px", full: "100%" };
  const BORDER = { none: "0px", light: "0.5px", normal: "1px", medium: "2px", "semi-bold": "3px", bold: "4px" };
  const BUBBLE_WIDTH = { nano: "120px", micro: "160px", deca: "220px", hecto: "241px", kilo: "260px", mega: "300px", giga: "386px" };
  const BLOCK_PADDING = { header: "20px", hero: "0px", body: "20px", footer: "10px" };
  const JUSTIFY = { "flex-start": "flex-start", center: "center", "flex-end": "flex-end", "space-between": "space-between", "space-around": "space-around", "space-evenly": "space-evenly" };

  const px = (table, value) => (value in table ? table[value] : value);

  function el(tag, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  /** Flex sizing inside the parent box: horizontal boxes share space (flex 1), vertical ones stack (flex 0). */
  function applyFlex(node, component, parentLayout) {
    const horizontal = parentLayout === "horizontal" || parentLayout === "baseline";
    let grow = component.flex;
    if (grow === undefined) grow = horizontal && component.type !== "separator" ? 1 : 0;
    if (component.width) {
      node.style.width = component.width;
      node.style.flex = "0 0 auto";
    } else if (grow > 0) {
      node.style.flex = `${grow} ${horizontal ? 1 : 0} 0`;
      if (horizontal) node.style.minWidth = "0";
    } else {
      node.style.flex = "0 0 auto";
    }
    if (component.height) node.style.height = component.height;
    if (component.maxWidth) node.style.maxWidth = component.maxWidth;
    if (component.maxHeight) node.style.maxHeight = component.maxHeight;
    if (component.position === "absolute") {
      node.style.position = "absolute";
      for (const side of ["Top", "Bottom", "Start", "End"]) {
        const value = component["offset" + side];
        if (value) node.style[{ Top: "top", Bottom: "bottom", Start: "left", End: "right" }[side]] = px(SPACING, value);
      }
    } else {
      for (const side of ["Top", "Bottom", "Start", "End"]) {
        const value = component["offset" + side];
        if (value) {
          node.style.position = "relative";
          node.style[{ Top: "top", Bottom: "bottom", Start: "left", End: "right" }[side]] = px(SPACING, value);
        }
      }
    }
    if (component.gravity && parentLayout !== "vertical") {
      node.style.alignSelf = { top: "flex-start", center: "center", bottom: "flex-end" }[component.gravity];
    }
    // Texts align their lines and images their wrapper's content; other components move whole.
    if (component.align && parentLayout === "vertical" && !["text", "image", "video"].includes(component.type)) {
      node.style.alignSelf = { start: "flex-start", center: "center", end: "flex-end" }[component.align];
    }
  }

  function clickable(node, action, onAction) {
    if (!action) return;
    node.classList.add("flex-clickable");
    node.addEventListener("click", (event) => {
      event.stopPropagation();
      onAction(action);
    });
  }

  function box(component, parentLayout, onAction) {
    const node = el("div", `flex-box flex-${component.layout || "vertical"}`);
    node.style.display = "flex";
    node.style.flexDirection = component.layout === "vertical" ? "column" : "row";
    if (component.layout === "baseline") node.style.alignItems = "baseline";
    if (component.justifyContent) node.style.justifyContent = JUSTIFY[component.justifyContent] || component.justifyContent;
    if (component.alignItems) node.style.alignItems = component.alignItems;
    if (component.backgroundColor) node.style.backgroundColor = component.backgroundColor;
    if (component.background && component.background.type === "linearGradient") {
      const g = component.background;
      node.style.backgroundImage = `linear-gradient(${g.angle}, ${g.startColor}, ${g.centerColor ? g.centerColor + " " + (g.centerPosition || "50%") + ", " : ""}${g.endColor})`;
    }
    if (component.borderColor) node.style.borderColor = component.borderColor;
    if (component.borderWidth) {
      node.style.borderStyle = "solid";
      node.style.borderWidth = px(BORDER, component.borderWidth);
    }
    if (component.cornerRadius) node.style.borderRadius = px(SPACING, component.cornerRadius);
    if (component.paddingAll) node.style.padding = px(SPACING, component.paddingAll);
    for (const side of ["Top", "Bottom", "Start", "End"]) {
      const value = component["padding" + side];
      if (value) node.style["padding" + { Top: "Top", Bottom: "Bottom", Start: "Left", End: "Right" }[side]] = px(SPACING, value);
    }
    if (component.cornerRadius || component.position === "absolute") node.style.overflow = "hidden";
    node.style.position = node.style.position || "relative";
    const layout = component.layout || "vertical";
    (component.contents || []).forEach((child, index) => {
      const childNode = render(child, layout, onAction);
      if (!childNode) return;
      const gap = child.margin !== undefined ? child.margin : index > 0 ? component.spacing : undefined;
      if (gap !== undefined && child.position !== "absolute") {
        childNode.style[layout === "vertical" ? "marginTop" : "marginLeft"] = px(SPACING, gap);
      }
      node.appendChild(childNode);
    });
    clickable(node, component.action, onAction);
    return node;
  }

  function styleText(node, component) {
    if (component.size) node.style.fontSize = px(TEXT_SIZE, component.size);
    if (component.weight === "bold") node.style.fontWeight = "700";
    if (component.color) node.style.color = component.color;
    if (component.style === "italic") node.style.fontStyle = "italic";
    if (component.decoration && component.decoration !== "none") node.style.textDecoration = component.decoration;
  }

  function text(component, parentLayout, onAction) {
    const node = el("div", "flex-text");
    styleText(node, component);
    if (component.align) node.style.textAlign = { start: "left", center: "center", end: "right" }[component.align];
    if (component.lineSpacing) node.style.lineHeight = `calc(1.4em + ${component.lineSpacing})`;
    if (component.wrap) {
      node.classList.add("flex-wrap");
      if (component.maxLines) {
        node.classList.add("flex-clamp");
        node.style.webkitLineClamp = String(component.maxLines);
      }
    }
    if (component.contents && component.contents.length) {
      for (const span of component.contents) {
        const spanNode = el("span", "flex-span");
        spanNode.textContent = span.text || "";
        styleText(spanNode, span);
        node.appendChild(spanNode);
      }
    } else {
      node.textContent = component.text || "";
    }
    clickable(node, component.action, onAction);
    return node;
  }

  function button(component, parentLayout, onAction) {
    const style = component.style || "link";
    const node = el("button", `flex-button flex-button-${style} flex-button-${component.height || "md"}`);
    node.type = "button";
    node.textContent = (component.action && component.action.label) || "";
    if (component.color) node.style[style === "link" ? "color" : "backgroundColor"] = component.color;
    if (component.action && ["camera", "cameraRoll"].includes(component.action.type)) node.disabled = true;
    if (component.action) node.addEventListener("click", () => onAction(component.action));
    return node;
  }

  function separator(component, parentLayout) {
    const node = el("div", parentLayout === "vertical" ? "flex-separator" : "flex-separator flex-separator-vertical");
    if (component.color) node.style.backgroundColor = component.color;
    return node;
  }

  function image(component, parentLayout, onAction) {
    const node = el("div", "flex-image");
    const [w, h] = (component.aspectRatio || "1:1").split(":").map(Number);
    node.style.aspectRatio = `${w} / ${h}`;
    const size = px(IMAGE_SIZE, component.size || "md");
    node.style.width = size;
    node.style.maxWidth = "100%";
    node.title = component.url || "";
    if (component.backgroundColor) node.style.backgroundColor = component.backgroundColor;
    node.setAttribute("role", "img");
    clickable(node, component.action, onAction);
    const wrapper = el("div", "flex-image-wrap");
    wrapper.style.justifyContent = { start: "flex-start", end: "flex-end" }[component.align] || "center";
    wrapper.appendChild(node);
    return wrapper;
  }

  function icon(component) {
    const node = el("span", "flex-icon");
    const size = px(TEXT_SIZE, component.size || "md");
    node.style.width = node.style.height = size;
    return node;
  }

  function render(component, parentLayout, onAction) {
    let node;
    switch (component.type) {
      case "box": node = box(component, parentLayout, onAction); break;
      case "text": node = text(component, parentLayout, onAction); break;
      case "button": node = button(component, parentLayout, onAction); break;
      case "separator": node = separator(component, parentLayout); break;
      case "image": case "video": node = image(component, parentLayout, onAction); break;
      case "icon": node = icon(component); break;
      case "filler": node = el("div", "flex-filler"); break;
      case "spacer": node = el("div", "flex-filler"); break;
      default: return null;
    }
    applyFlex(node, component, parentLayout);
    return node;
  }

  function bubble(container, onAction) {
    const node = el("div", "flex-bubble");
    node.style.width = px(BUBBLE_WIDTH, container.size || "mega");
    const styles = container.styles || {};
    let first = true;
    for (const block of ["header", "hero", "body", "footer"]) {
      const component = container[block];
      if (!component) continue;
      const blockNode = el("div", `flex-block flex-${block}`);
      const blockStyle = styles[block] || {};
      if (blockStyle.backgroundColor) blockNode.style.backgroundColor = blockStyle.backgroundColor;
      if (blockStyle.separator && !first) blockNode.style.borderTop = `1px solid ${blockStyle.separatorColor || "#e5e5e5"}`;
      const inner = render(component, "vertical", onAction);
      const ownPadding = Object.keys(component).some((key) => key.startsWith("padding"));
      if (component.type === "box" && !ownPadding) inner.style.padding = BLOCK_PADDING[block];
      blockNode.appendChild(inner);
      node.appendChild(blockNode);
      first = false;
    }
    if (container.action) clickable(node, container.action, onAction);
    return node;
  }

  /** A Flex container (bubble or carousel) as an element; button taps call onAction(action). */
  function container(contents, onAction) {
    if (contents.type === "carousel") {
      const node = el("div", "flex-carousel");
      for (const item of contents.contents || []) node.appendChild(bubble(item, onAction));
      return node;
    }
    return bubble(contents, onAction);
  }

  return { container };
})();
