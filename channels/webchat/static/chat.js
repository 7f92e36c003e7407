/* Wegwijs web chat: send messages, render replies (text, buttons, images, files), poll for
   consultant replies. No framework, no build step. Text is never inserted as HTML. */
(() => {
  "use strict";

  const API = "/webchat/api/messages";
  const POLL_MS = 3000;
  const MAX_CHARS = 2000;
  // The texts of every language (knowledge/i18n/<lang>/messages/webchat.yaml), rendered by the
  // server as a JSON data block: {lang, languages: [{code, name, dir}], strings: {code: {name: text}}}.
  const PAGE = JSON.parse(document.getElementById("strings").textContent);
  const CODES = PAGE.languages.map((l) => l.code);
  const LANG_KEY = "wegwijs.lang";
  // The municipality the conversation belongs to: a page that embeds this script says which with
  // <script src=".../chat.js" data-municipality="rivierdam">; /chat/<slug> puts it in the page
  // data. Sent with every message; each municipality keeps its own session in this browser.
  const MUNICIPALITY = (document.currentScript && document.currentScript.dataset.municipality) || PAGE.municipality || null;
  const SESSION_KEY = MUNICIPALITY ? `wegwijs.session.${MUNICIPALITY}` : "wegwijs.session";
  const PRIVACY = PAGE.privacy || "/privacy";
  const LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']+)/g;

  const $ = (id) => document.getElementById(id);
  const list = $("messages");
  const scroller = document.querySelector("main");
  const form = $("composer");
  const input = $("text");
  const sendButton = $("send");
  const typing = $("typing");
  const notice = $("notice");
  const menu = $("lang-select");
  const privacyLink = $("privacy-link");

  // The user's own choice (menu, or ?lang= in a link) is remembered and sent with each message,
  // so the assistant answers in it. Without a choice the page keeps the language it came in.
  const known = (code) => (CODES.includes(code) ? code : null);
  let chosen = known(new URLSearchParams(location.search).get("lang")) || known(stored(LANG_KEY));
  if (chosen) remember(LANG_KEY, chosen);
  let lang = chosen || known(PAGE.lang) || CODES[0];
  const sessionId = loadSessionId();
  const seen = new Set();
  let lastId = 0;
  let busy = false;

  function stored(key) {
    try { return localStorage.getItem(key); } catch (err) { return null; }
  }

  function remember(key, value) {
    try { localStorage.setItem(key, value); } catch (err) { /* storage off: this page only */ }
  }

  function loadSessionId() {
    let id = localStorage.getItem(SESSION_KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      const bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      localStorage.setItem(SESSION_KEY, id);
    }
    return id;
  }

  /* The text `key` in the page's language, with {name} placeholders filled from `params`. */
  function t(key, params) {
    const value = PAGE.strings[lang][key] ?? PAGE.strings[CODES[0]][key] ?? "";
    return params ? value.replace(/\{(\w+)\}/g, (m, name) => (name in params ? params[name] : m)) : value;
  }

  function direction(code) {
    const item = PAGE.languages.find((l) => l.code === code);
    return item ? item.dir : "ltr";
  }

  function applyLanguage() {
    const root = document.documentElement;
    root.lang = lang;
    root.dir = direction(lang);
    document.title = t("page_title");
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    input.placeholder = t("placeholder");
    list.setAttribute("aria-label", t("conversation"));
    menu.value = lang;
    privacyLink.href = `${PRIVACY}?lang=${encodeURIComponent(lang)}`;
    const welcome = $("welcome");
    if (welcome) welcome.textContent = t("welcome");
  }

  /* Append text to `parent`, turning http(s) links into anchors; never parses HTML. */
  function appendText(parent, text) {
    let index = 0;
    for (const match of text.matchAll(LINK)) {
      parent.append(document.createTextNode(text.slice(index, match.index)));
      let label = match[1];
      let url = match[2] || match[3];
      let trailing = "";
      if (!match[2]) {
        const cut = url.match(/[.,;:!?)\]]+$/);
        if (cut) { trailing = cut[0]; url = url.slice(0, -trailing.length); }
        label = url;
      }
      const a = document.createElement("a");
      a.href = url;
      a.textContent = label;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.dir = "auto"; // a URL inside Arabic text stays in one piece, left to right
      parent.append(a);
      if (trailing) parent.append(document.createTextNode(trailing));
      index = match.index + match[0].length;
    }
    parent.append(document.createTextNode(text.slice(index)));
  }

  function bubble(direction, extraClass) {
    const li = document.createElement("li");
    li.className = `msg ${direction}${extraClass ? " " + extraClass : ""}`;
    list.append(li);
    return li;
  }

  function render(message) {
    if (message.id) {
      if (seen.has(message.id)) return;
      seen.add(message.id);
      lastId = Math.max(lastId, message.id);
    }
    const li = bubble(message.direction, message.sender === "consultant" ? "consultant" : "");
    if (message.sender === "consultant") {
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = t("consultant");
      li.append(who);
    }
    if (message.document_url) {
      // the file first, on a line of its own; a question about it (reminders) follows
      const block = document.createElement("div");
      block.className = "doc";
      const a = document.createElement("a");
      a.href = message.document_url;
      a.textContent = t("download", { name: message.document_name || t("file") });
      a.setAttribute("download", message.document_name || "");
      block.append(a);
      li.append(block);
    }
    if (message.text) {
      const p = document.createElement("div");
      p.className = "text";
      appendText(p, message.text);
      li.append(p);
    }
    if (message.image_url) {
      const img = document.createElement("img");
      img.src = message.image_url;
      img.alt = t("image");
      img.loading = "lazy";
      img.addEventListener("load", scrollDown);
      li.append(img);
    }
    if (message.buttons && message.buttons.length) {
      const group = document.createElement("div");
      group.className = "buttons";
      for (const b of message.buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.addEventListener("click", () => {
          group.querySelectorAll("button").forEach((x) => { x.disabled = true; });
          send(b.payload, b.title);
        });
        group.append(button);
      }
      li.append(group);
    }
    scrollDown();
  }

  function scrollDown() { scroller.scrollTop = scroller.scrollHeight; }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  async function send(text, title) {
    text = text.trim();
    if (!text) { showNotice(t("empty")); return; }
    if (text.length > MAX_CHARS) { showNotice(t("too_long")); return; }
    showNotice("");
    const own = bubble("in");
    const ownText = document.createElement("div");
    ownText.className = "text";
    appendText(ownText, title || text);
    own.append(ownText);
    scrollDown();
    busy = true;
    typing.hidden = false;
    sendButton.disabled = true;
    try {
      const body = { session_id: sessionId, text };
      if (title) body.title = title;
      if (chosen) body.lang = chosen;
      if (MUNICIPALITY) body.municipality = MUNICIPALITY;
      const response = await fetch(API, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (response.status === 422) {
        showNotice(text.length > MAX_CHARS ? t("too_long") : t("empty"));
      } else if (!response.ok) {
        showNotice(t("error"));
      } else {
        const data = await response.json();
        follow(data.language); // this turn may have switched the language ("Türkçe" typed)
        data.messages.forEach(render);
      }
    } catch (err) {
      showNotice(t("error"));
    } finally {
      busy = false;
      typing.hidden = true;
      sendButton.disabled = false;
    }
  }

  async function fetchMessages(after) {
    const url = `${API}?session_id=${encodeURIComponent(sessionId)}&after=${after}`;
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) return { messages: [] };
    return response.json();
  }

  /* The conversation's language as the server reports it (`language` in the API). The user can
     switch by typing ("Türkçe", "English", "العربية"); the page then follows: menu, texts and
     direction, and a remembered choice becomes the new language, so it is not sent back. When
     the page opens, a choice the user made (menu, ?lang=) wins over the conversation's language. */
  let serverLang = null;

  function follow(code, opening) {
    code = known(code);
    if (!code) return;
    const changed = code !== serverLang;
    serverLang = code;
    if (!changed || code === lang || (opening && chosen)) return;
    lang = code;
    if (chosen) {
      chosen = code;
      remember(LANG_KEY, code);
    }
    applyLanguage();
  }

  async function poll() {
    if (busy || document.hidden) return;
    try {
      const data = await fetchMessages(lastId);
      if (busy) return; // a send started meanwhile; its answer renders these
      follow(data.language);
      data.messages.filter((m) => m.direction === "out").forEach(render);
    } catch (err) { /* offline: try again next time */ }
  }

  async function start() {
    applyLanguage();
    const welcome = document.createElement("div");
    welcome.id = "welcome";
    welcome.className = "text";
    welcome.textContent = t("welcome");
    bubble("out").append(welcome);
    try {
      const data = await fetchMessages(0);
      follow(data.language, true);
      data.messages.forEach(render);
    } catch (err) { /* first visit or offline */ }
    setInterval(poll, POLL_MS);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  menu.addEventListener("change", () => {
    const picked = known(menu.value);
    if (!picked) return;
    lang = chosen = picked;
    remember(LANG_KEY, picked);
    applyLanguage();
  });

  start();
})();
