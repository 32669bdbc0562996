/* The chat page: personas, transcripts, sending events, polling for what the bot sent. */
"use strict";

(() => {
  const POLL_MS = 700;
  const NEW_USER_KEY = "thaiqm-emulator-new-user";
  const $ = (id) => document.getElementById(id);

  let setup = null;
  let texts = {};
  let personas = [];
  let current = null;
  let lastSeq = 0;
  let sending = Promise.resolve();
  let pendingPicker = null;
  const transcripts = {}; // userId -> [{from, message, at}]
  const quickReplies = {}; // userId -> quickReply of the bot's last message, until the user acts
  const unread = {};
  const seen = new Set(); // sequence numbers already shown: a poll and a send may overlap
  const richMenus = {}; // userId -> the rich menu LINE shows under that chat (null: none)
  const richMenuOpen = {}; // userId -> whether the person has it open (LINE: `selected` at first)

  // ------------------------------------------------------------------ personas

  function loadNewUser() {
    try {
      const saved = JSON.parse(localStorage.getItem(NEW_USER_KEY) || "null");
      if (saved && /^U[0-9a-f]{32}$/.test(saved.userId)) return saved;
    } catch (error) { /* a damaged entry: start a new user */ }
    return freshNewUser();
  }

  function freshNewUser() {
    const user = { userId: LineWebhook.newUserId(), friend: false, blocked: false };
    localStorage.setItem(NEW_USER_KEY, JSON.stringify(user));
    return user;
  }

  function saveNewUser() {
    const persona = personas.find((p) => p.key === "new");
    localStorage.setItem(NEW_USER_KEY, JSON.stringify({ userId: persona.userId, friend: persona.friend, blocked: persona.blocked }));
  }

  function buildPersonas() {
    const newUser = loadNewUser();
    personas = setup.personas.map((p) => ({ ...p, blocked: false }));
    personas.push({ key: "new", userId: newUser.userId, name: texts.newUser, role: "", friend: newUser.friend, blocked: newUser.blocked });
    for (const p of personas) transcripts[p.userId] = transcripts[p.userId] || [];
  }

  function persona(userId) {
    return personas.find((p) => p.userId === userId);
  }

  function renderPersonaList() {
    const list = $("persona-list");
    list.textContent = "";
    for (const p of personas) {
      const item = document.createElement("li");
      item.className = "persona" + (current && p.userId === current.userId ? " active" : "");
      item.dataset.persona = p.key;
      const avatar = document.createElement("div");
      avatar.className = `avatar avatar-${p.key}`;
      avatar.textContent = p.key === "new" ? "+" : p.name.slice(0, 1);
      const info = document.createElement("div");
      info.className = "persona-info";
      const name = document.createElement("div");
      name.className = "persona-name";
      name.textContent = p.name;
      if (p.role) name.appendChild(bubble("role-tag", p.role));
      const preview = document.createElement("div");
      preview.className = "persona-preview";
      preview.textContent = p.friend ? previewOf(transcripts[p.userId]) : p.blocked ? texts.unblock : texts.addFriend;
      info.append(name, preview);
      item.append(avatar, info);
      if (unread[p.userId]) {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = String(unread[p.userId]);
        item.appendChild(badge);
      }
      item.addEventListener("click", () => switchTo(p));
      list.appendChild(item);
    }
  }

  /** The chat list's one-line preview of a chat's last message, as LINE shows it. */
  function previewOf(items) {
    const last = items[items.length - 1];
    if (!last) return "";
    const m = last.message;
    if (m.type === "text") return m.text.split("\n")[0];
    if (m.type === "flex" || m.type === "template") return m.altText || "";
    if (m.type === "sticker") return texts.sticker;
    if (m.type === "location") return m.title || "";
    return "";
  }

  function switchTo(p) {
    current = p;
    unread[p.userId] = 0;
    closePanels();
    renderPersonaList();
    renderChat();
    loadRichMenu(p);
  }

  // ------------------------------------------------------------------ transcript

  function sessionKey(userId) {
    return "thaiqm-emulator-sent:" + userId;
  }

  function addUserItem(userId, message) {
    const item = { from: "user", message, at: Date.now() / 1000 };
    transcripts[userId].push(item);
    const saved = JSON.parse(sessionStorage.getItem(sessionKey(userId)) || "[]");
    saved.push(item);
    sessionStorage.setItem(sessionKey(userId), JSON.stringify(saved));
    quickReplies[userId] = null;
    renderPersonaList();
    if (current && current.userId === userId) {
      appendItem(item, transcripts[userId].length - 1);
      renderQuickReplies();
    }
  }

  function addBotItems(delivered) {
    const touched = new Set();
    for (const d of delivered) {
      if (seen.has(d.seq)) continue;
      seen.add(d.seq);
      lastSeq = Math.max(lastSeq, d.seq);
      const list = transcripts[d.chat_id];
      if (!list) continue;
      const item = itemOf(d);
      list.push(item);
      quickReplies[d.chat_id] = item.from === "bot" ? d.message.quickReply || null : null;
      touched.add(d.chat_id);
      if (current && d.chat_id === current.userId) appendItem(item, list.length - 1);
      else if (item.from === "bot") unread[d.chat_id] = (unread[d.chat_id] || 0) + 1;
    }
    if (touched.size) {
      renderPersonaList();
      if (current && touched.has(current.userId)) renderQuickReplies();
    }
  }

  /** A transcript item from what the stand-in holds: the bot's messages, and what a scripted user sent. */
  function itemOf(d) {
    return { from: d.via === "user" ? "user" : "bot", message: d.message, at: d.at, via: d.via };
  }

  async function loadHistory() {
    // What the bot sent earlier comes from the stand-in; what this browser sent, from its session.
    const history = await fetchMessages(0);
    for (const p of personas) {
      const sent = JSON.parse(sessionStorage.getItem(sessionKey(p.userId)) || "[]");
      const received = history.filter((d) => d.chat_id === p.userId);
      if (!received.length) continue; // a restarted stand-in: old local bubbles would float alone
      const items = received.map(itemOf).concat(sent);
      items.sort((a, b) => a.at - b.at);
      transcripts[p.userId] = items;
      const last = items[items.length - 1];
      quickReplies[p.userId] = last.from === "bot" ? last.message.quickReply || null : null;
    }
    for (const d of history) {
      seen.add(d.seq);
      lastSeq = Math.max(lastSeq, d.seq);
    }
  }

  // ------------------------------------------------------------------ talking to the server

  async function fetchMessages(since) {
    const query = new URLSearchParams({ since: String(since) });
    for (const p of personas) query.append("chat", p.userId);
    const response = await fetch("/emulator/api/messages?" + query.toString());
    if (!response.ok) throw new Error("stand-in " + response.status);
    return (await response.json()).messages;
  }

  async function poll() {
    try {
      addBotItems(await fetchMessages(lastSeq));
      hideBanner("standin");
    } catch (error) {
      showBanner(texts.standInDown, "standin");
    }
  }

  async function replyToken(userId) {
    const response = await fetch("/emulator/api/reply-token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ chatId: userId }),
    });
    if (!response.ok) throw new Error("stand-in " + response.status);
    return (await response.json()).replyToken;
  }

  /** Send one event from a persona, in order after any earlier one (as LINE delivers them). */
  function sendEvent(p, build, withToken = true) {
    sending = sending.then(async () => {
      try {
        const token = withToken ? await replyToken(p.userId) : null;
        const status = await LineWebhook.post("/callback", setup.destination, setup.secret, [build(token)]);
        if (status !== 200) showBanner(texts.refused.replace("{status}", String(status)), "refused");
        else hideBanner("refused");
      } catch (error) {
        showBanner(texts.standInDown, "standin");
      }
      await poll();
      await loadRichMenu(p); // an event may have changed it (registered: the role's menu)
    });
    return sending;
  }

  /** Ask which rich menu LINE shows this person now (their own, else the default one). */
  async function loadRichMenu(p) {
    try {
      const response = await fetch("/emulator/api/rich-menu?chat=" + encodeURIComponent(p.userId));
      if (!response.ok) return;
      const menu = (await response.json()).richMenu;
      const before = richMenus[p.userId];
      if (before && menu && before.image === menu.image) return; // the same menu: keep it as the person left it
      richMenus[p.userId] = menu;
      richMenuOpen[p.userId] = Boolean(menu && menu.selected);
      if (current === p) renderRichMenu();
    } catch (error) {
      /* the stand-in is down: the banner from polling says so */
    }
  }

  // ------------------------------------------------------------------ user actions

  function sayText(text) {
    const p = current;
    if (!text.trim()) return;
    addUserItem(p.userId, { type: "text", text });
    sendEvent(p, (token) => LineWebhook.events.text(p.userId, token, text));
  }

  function sendSticker(sticker) {
    const p = current;
    closePanels();
    addUserItem(p.userId, { type: "sticker", packageId: sticker.packageId, stickerId: sticker.stickerId, emoji: sticker.emoji });
    sendEvent(p, (token) => LineWebhook.events.sticker(p.userId, token, sticker));
  }

  function sendSampleLocation() {
    const p = current;
    const place = { ...setup.sampleLocation, title: texts.locationTitle, address: texts.locationAddress };
    addUserItem(p.userId, { type: "location", ...place });
    sendEvent(p, (token) => LineWebhook.events.location(p.userId, token, place));
  }

  function follow() {
    const p = current;
    const unblocked = p.blocked;
    p.friend = true;
    p.blocked = false;
    if (p.key === "new") saveNewUser();
    renderPersonaList();
    renderChat();
    sendEvent(p, (token) => LineWebhook.events.follow(p.userId, token, unblocked));
  }

  function block() {
    const p = current;
    p.friend = false;
    p.blocked = true;
    if (p.key === "new") saveNewUser();
    renderChat();
    sendEvent(p, () => LineWebhook.events.unfollow(p.userId), false);
  }

  function anotherNewUser() {
    const fresh = freshNewUser();
    const p = personas.find((x) => x.key === "new");
    Object.assign(p, { userId: fresh.userId, friend: false, blocked: false });
    transcripts[p.userId] = [];
    switchTo(p);
  }

  /** What tapping a quick-reply button or a Flex/template button does, per LINE action type. */
  function doAction(action) {
    const p = current;
    if (!p.friend) return;
    switch (action.type) {
      case "message":
        sayText(action.text || action.label || "");
        break;
      case "postback": {
        const shown = action.displayText || action.text;
        if (shown) addUserItem(p.userId, { type: "text", text: shown });
        else quickReplies[p.userId] = null;
        sendEvent(p, (token) => LineWebhook.events.postback(p.userId, token, action.data));
        renderQuickReplies();
        break;
      }
      case "datetimepicker":
        openPicker(action);
        break;
      case "location":
        sendSampleLocation();
        break;
      case "uri":
        window.open(action.uri, "_blank", "noopener");
        break;
      case "clipboard":
        if (navigator.clipboard) navigator.clipboard.writeText(action.clipboardText || "");
        break;
      default:
        break; // camera, camera roll, rich menu switch: nothing to do in a browser
    }
  }

  function openPicker(action) {
    const mode = action.mode || "date";
    const input = $("picker-input");
    input.type = { date: "date", time: "time", datetime: "datetime-local" }[mode];
    input.min = action.min || "";
    input.max = action.max || "";
    input.value = action.initial || "";
    $("picker-label").textContent = { date: texts.pickDate, time: texts.pickTime, datetime: texts.pickDatetime }[mode];
    pendingPicker = { action, mode, persona: current };
    $("picker").hidden = false;
    input.focus();
  }

  function confirmPicker() {
    if (!pendingPicker) return;
    const value = $("picker-input").value;
    if (!value) return;
    const { action, mode, persona: p } = pendingPicker;
    closePanels();
    quickReplies[p.userId] = null; // LINE shows no bubble for a picked date; the buttons go away
    renderQuickReplies();
    sendEvent(p, (token) => LineWebhook.events.postback(p.userId, token, action.data, { [mode]: value }));
  }

  function closePanels() {
    pendingPicker = null;
    $("picker").hidden = true;
    $("sticker-panel").hidden = true;
  }

  // ------------------------------------------------------------------ rendering

  function timeOf(at) {
    const d = new Date(at * 1000);
    return d.getHours().toString().padStart(2, "0") + ":" + d.getMinutes().toString().padStart(2, "0");
  }

  function renderChat() {
    const p = current;
    $("chat-as").textContent = p.role ? `${p.name} · ${p.role}` : p.name;
    $("block-toggle").textContent = p.friend ? texts.block : "";
    $("block-toggle").hidden = !p.friend;
    $("another-new-user").hidden = p.key !== "new";
    const box = $("messages");
    box.textContent = "";
    transcripts[p.userId].forEach((item, index) => appendItem(item, index));
    const gate = $("friend-gate");
    gate.hidden = p.friend;
    $("friend-hint").textContent = p.blocked ? texts.blockedHint : texts.addFriendHint;
    $("add-friend").textContent = p.blocked ? texts.unblock : texts.addFriend;
    $("composer").classList.toggle("disabled", !p.friend);
    $("text-input").disabled = !p.friend;
    renderQuickReplies();
    renderRichMenu();
  }

  function appendItem(item, index) {
    const box = $("messages");
    const list = transcripts[current.userId];
    const previous = index > 0 ? list[index - 1] : null;
    const row = document.createElement("div");
    row.className = `row row-${item.from}`;
    if (item.from === "bot" && (!previous || previous.from !== "bot")) {
      row.classList.add("first");
      const avatar = document.createElement("div");
      avatar.className = "bot-avatar small";
      avatar.textContent = "Q";
      row.appendChild(avatar);
    }
    const column = document.createElement("div");
    column.className = "column";
    const line = document.createElement("div");
    line.className = "line";
    const content = renderMessage(item.message, item.from);
    const meta = document.createElement("div");
    meta.className = "meta";
    if (item.from === "user") {
      const read = document.createElement("div");
      read.textContent = texts.read;
      meta.appendChild(read);
    }
    const time = document.createElement("div");
    time.textContent = timeOf(item.at);
    meta.appendChild(time);
    if (item.from === "user") line.append(meta, content);
    else line.append(content, meta);
    column.appendChild(line);
    row.appendChild(column);
    box.appendChild(row);
    scrollToEnd();
  }

  function bubble(className, text) {
    const node = document.createElement("div");
    node.className = className;
    node.textContent = text;
    return node;
  }

  function renderMessage(message, from) {
    switch (message.type) {
      case "text":
        return bubble(`bubble bubble-${from}`, message.text);
      case "sticker": {
        const known = setup.stickers.find((s) => s.packageId === message.packageId && s.stickerId === message.stickerId);
        const node = bubble("sticker", message.emoji || (known && known.emoji) || "🙂");
        node.title = `${texts.sticker} ${message.packageId}/${message.stickerId}`;
        return node;
      }
      case "location": {
        const node = document.createElement("div");
        node.className = `bubble bubble-${from} location`;
        node.append(bubble("location-map", "📍"), bubble("location-title", message.title || ""), bubble("location-address", message.address || ""));
        return node;
      }
      case "flex": {
        const node = FlexRender.container(message.contents, doAction);
        node.dataset.altText = message.altText || "";
        return node;
      }
      case "template":
        return renderTemplate(message.template);
      case "image": {
        // The picture as LINE shows it (its preview; tap for the full one); the placeholder stays where it cannot load.
        const node = bubble("media-placeholder", "🖼");
        const picture = document.createElement("img");
        picture.src = message.previewImageUrl;
        picture.alt = "🖼";
        picture.addEventListener("load", () => { node.textContent = ""; node.classList.add("media-image"); node.appendChild(picture); scrollToEnd(); });
        node.addEventListener("click", () => window.open(message.originalContentUrl, "_blank"));
        return node;
      }
      case "video":
        return bubble("media-placeholder", "🎞");
      default:
        return bubble(`bubble bubble-${from} unknown`, texts.cannotShow.replace("{type}", message.type));
    }
  }

  function actionButton(action) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "template-action";
    button.textContent = action.label || "";
    button.addEventListener("click", () => doAction(action));
    return button;
  }

  function renderTemplate(template) {
    const columns = template.type === "carousel" ? template.columns : [template];
    const wrap = document.createElement("div");
    wrap.className = columns.length > 1 ? "flex-carousel" : "";
    for (const column of columns) {
      const card = document.createElement("div");
      card.className = `template template-${template.type}`;
      if (column.title) card.appendChild(bubble("template-title", column.title));
      card.appendChild(bubble("template-text", column.text || ""));
      const actions = document.createElement("div");
      actions.className = "template-actions";
      for (const action of column.actions || []) actions.appendChild(actionButton(action));
      card.appendChild(actions);
      wrap.appendChild(card);
    }
    return columns.length > 1 ? wrap : wrap.firstChild;
  }

  const QUICK_ICONS = { datetimepicker: "📅", location: "📍", camera: "📷", cameraRoll: "🖼", uri: "🔗", clipboard: "📋" };

  function renderQuickReplies() {
    const bar = $("quick-replies");
    bar.textContent = "";
    const quick = current && current.friend ? quickReplies[current.userId] : null;
    bar.hidden = !quick;
    scrollToEnd();
    if (!quick) return;
    for (const item of quick.items || []) {
      const action = item.action;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "quick-reply";
      button.dataset.actionType = action.type;
      if (QUICK_ICONS[action.type]) button.appendChild(bubble("quick-icon", QUICK_ICONS[action.type]));
      button.appendChild(document.createTextNode(action.label || ""));
      if (action.type === "camera" || action.type === "cameraRoll") {
        button.disabled = true;
        button.title = texts.unavailable;
      }
      button.addEventListener("click", () => doAction(action));
      bar.appendChild(button);
    }
    scrollToEnd(); // the bar took room from the messages: keep the newest one in view
  }

  /** The rich menu under the chat as LINE draws it: the uploaded image, its areas tappable, a bar to fold it. */
  function renderRichMenu() {
    const box = $("rich-menu");
    const bar = $("rich-menu-bar");
    const menu = current && current.friend ? richMenus[current.userId] : null;
    box.textContent = "";
    bar.hidden = !menu;
    box.hidden = !menu || !richMenuOpen[current.userId];
    if (!menu) return;
    bar.textContent = `${menu.chatBarText || ""} ${richMenuOpen[current.userId] ? "▾" : "▴"}`;
    const image = document.createElement("img");
    image.src = menu.image;
    image.alt = menu.chatBarText || "";
    image.addEventListener("load", scrollToEnd); // the image's height arrives later: keep the newest message above it
    box.appendChild(image);
    const percent = (value, whole) => `${(100 * value) / whole}%`;
    for (const area of menu.areas || []) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "rich-area";
      const { x, y, width, height } = area.bounds;
      Object.assign(button.style, {
        left: percent(x, menu.size.width),
        top: percent(y, menu.size.height),
        width: percent(width, menu.size.width),
        height: percent(height, menu.size.height),
      });
      button.setAttribute("aria-label", area.action.label || area.action.text || "");
      button.dataset.text = area.action.text || "";
      button.addEventListener("click", () => doAction(area.action));
      box.appendChild(button);
    }
    scrollToEnd();
  }

  function toggleRichMenu() {
    richMenuOpen[current.userId] = !richMenuOpen[current.userId];
    renderRichMenu();
  }

  let chat = null; // the messages box, kept at its newest message (see PhoneScroll)

  function scrollToEnd() {
    chat.toEnd();
  }

  function showBanner(text, kind) {
    const banner = $("banner");
    banner.textContent = text;
    banner.dataset.kind = kind;
    banner.hidden = false;
  }

  function hideBanner(kind) {
    const banner = $("banner");
    if (banner.dataset.kind === kind) banner.hidden = true;
  }

  function renderStickerPanel() {
    const panel = $("sticker-panel");
    panel.textContent = "";
    for (const sticker of setup.stickers) {
      const button = bubble("sticker-choice", sticker.emoji);
      button.title = sticker.keywords.join(", ");
      button.addEventListener("click", () => sendSticker(sticker));
      panel.appendChild(button);
    }
  }

  // ------------------------------------------------------------------ start

  async function start() {
    setup = await (await fetch("/emulator/api/setup")).json();
    texts = setup.texts;
    document.title = `${texts.title} · ${texts.botName}`;
    $("emulator-title").textContent = texts.title;
    $("bot-name").textContent = texts.botName;
    $("text-input").placeholder = texts.typeMessage;
    $("send").textContent = texts.send;
    $("sticker-toggle").title = texts.stickers;
    $("another-new-user").textContent = texts.anotherNewUser;
    $("picker-ok").textContent = texts.ok;
    $("picker-cancel").textContent = texts.cancel;
    chat = PhoneScroll.pinnedToEnd($("messages"));
    PhoneScroll.sideways($("quick-replies"));
    PhoneScroll.sideways($("persona-list"));
    buildPersonas();
    renderStickerPanel();
    try {
      await loadHistory();
    } catch (error) {
      showBanner(texts.standInDown, "standin");
    }
    const wanted = new URLSearchParams(location.search).get("as");
    switchTo(personas.find((p) => p.key === wanted) || personas[0]);

    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = $("text-input");
      if (!current.friend) return;
      sayText(input.value);
      input.value = "";
    });
    $("sticker-toggle").addEventListener("click", () => {
      if (current.friend) $("sticker-panel").hidden = !$("sticker-panel").hidden;
    });
    $("add-friend").addEventListener("click", follow);
    $("block-toggle").addEventListener("click", block);
    $("rich-menu-bar").addEventListener("click", toggleRichMenu);
    $("another-new-user").addEventListener("click", anotherNewUser);
    $("picker-ok").addEventListener("click", confirmPicker);
    $("picker-cancel").addEventListener("click", closePanels);
    document.body.dataset.ready = "true";
    setInterval(poll, POLL_MS);
  }

  start();
})();
