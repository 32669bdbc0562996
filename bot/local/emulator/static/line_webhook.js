/* Webhook bodies as LINE builds them (the same fields as tests/support/webhooks.py),
   signed with the channel secret (HMAC-SHA256, base64) and posted to /callback. */
"use strict";

const LineWebhook = (() => {
  const ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const DIGITS = "0123456789";

  function randomFrom(alphabet, length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length));
    return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  }

  function base64(bytes) {
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  }

  /** A LINE user id: U followed by 32 hex digits. */
  function newUserId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return "U" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** A quote token like LINE's (URL-safe base64 of 16 random bytes). */
  function quoteToken() {
    return base64(crypto.getRandomValues(new Uint8Array(16))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /** The fields every event from a one-to-one chat carries. */
  function baseEvent(type, userId, replyToken) {
    const event = {
      type,
      mode: "active",
      timestamp: Date.now(),
      source: { type: "user", userId },
      webhookEventId: randomFrom(ULID_ALPHABET, 26),
      deliveryContext: { isRedelivery: false },
    };
    if (replyToken) event.replyToken = replyToken;
    return event;
  }

  const events = {
    follow: (userId, token, unblocked = false) => ({ ...baseEvent("follow", userId, token), follow: { isUnblocked: unblocked } }),
    unfollow: (userId) => baseEvent("unfollow", userId, null),
    text: (userId, token, text) => ({
      ...baseEvent("message", userId, token),
      message: { id: randomFrom(DIGITS, 18), type: "text", quoteToken: quoteToken(), text },
    }),
    postback: (userId, token, data, params) => {
      const postback = { data };
      if (params && Object.keys(params).length) postback.params = params;
      return { ...baseEvent("postback", userId, token), postback };
    },
    location: (userId, token, place) => ({
      ...baseEvent("message", userId, token),
      message: {
        id: randomFrom(DIGITS, 18),
        type: "location",
        title: place.title,
        address: place.address,
        latitude: place.latitude,
        longitude: place.longitude,
      },
    }),
    sticker: (userId, token, sticker) => ({
      ...baseEvent("message", userId, token),
      message: {
        id: randomFrom(DIGITS, 18),
        type: "sticker",
        quoteToken: quoteToken(),
        packageId: sticker.packageId,
        stickerId: sticker.stickerId,
        stickerResourceType: "STATIC",
        keywords: sticker.keywords,
      },
    }),
  };

  /** X-Line-Signature: base64 of HMAC-SHA256 over the raw body bytes. */
  async function sign(secret, raw) {
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return base64(new Uint8Array(await crypto.subtle.sign("HMAC", key, raw)));
  }

  /** Post events in one signed body, as LINE does; resolves to the HTTP status. */
  async function post(url, destination, secret, eventList) {
    // JSON.stringify is compact and keeps Thai as UTF-8, like LINE's own bodies.
    const raw = new TextEncoder().encode(JSON.stringify({ destination, events: eventList }));
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8", "X-Line-Signature": await sign(secret, raw) },
      body: raw,
    });
    return response.status;
  }

  return { newUserId, events, sign, post };
})();
