/* Wegwijs web chat: send messages, render replies (text, buttons, images, files), poll for
   consultant replies. No framework, no build step. Text is never inserted as HTML. */
(() => {
  "use strict";

  const API = "/webchat/api/messages";
  const POLL_MS = 3000;
  const MAX_CHARS = 2000;
  const STRINGS = {
    nl: {
      title: "Wegwijs", subtitle: "vragen over inburgeren", typing: "Wegwijs typt…",
      label: "Uw bericht", placeholder: "Typ uw vraag…", send: "Verstuur", toggle: "EN",
      toggleLabel: "Switch to English", conversation: "Gesprek",
      welcome: "Hallo! Ik beantwoord vragen over inburgeren, bereken uw termijnen en kan u met een regievoerder van de gemeente in contact brengen. Stel uw vraag.",
      consultant: "Regievoerder", image: "Tijdlijn van uw termijnen", download: "Download",
      empty: "Typ eerst een bericht.", tooLong: "Uw bericht is te lang. Gebruik maximaal 2000 tekens.",
      error: "Er ging iets mis. Probeer het opnieuw.",
      privacy: (m) => `Wegwijs is een digitale assistent van ${m}. Deel geen BSN of andere gevoelige gegevens.`,
    },
    en: {
      title: "Wegwijs", subtitle: "questions about integration", typing: "Wegwijs is typing…",
      label: "Your message", placeholder: "Type your question…", send: "Send", toggle: "NL",
      toggleLabel: "Schakel naar Nederlands", conversation: "Conversation",
      welcome: "Hello! I answer questions about civic integration (inburgeren), compute your deadlines and can put you in touch with a case manager of the municipality. Ask your question.",
      consultant: "Case manager", image: "Timeline of your deadlines", download: "Download",
      empty: "Please type a message first.", tooLong: "Your message is too long. Use at most 2000 characters.",
      error: "Something went wrong. Please try again.",
      privacy: (m) => `Wegwijs is a digital assistant of ${m}. Do not share your BSN or other sensitive data.`,
    },
  };
  const LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']+)/g;

  const $ = (id) => document.getElementById(id);
  const list = $("messages");
  const scroller = document.querySelector("main");
  const form = $("composer");
  const input = $("text");
  const sendButton = $("send");
  const typing = $("typing");
  const notice = $("notice");
  const toggle = $("lang-toggle");

  let lang = localStorage.getItem("wegwijs.lang") === "en" ? "en" : "nl";
  const sessionId = loadSessionId();
  const seen = new Set();
  let lastId = 0;
  let busy = false;

  function loadSessionId() {
    let id = localStorage.getItem("wegwijs.session");
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      const bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      localStorage.setItem("wegwijs.session", id);
    }
    return id;
  }

  function t(key) { return STRINGS[lang][key]; }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => {
      const value = STRINGS[lang][el.dataset.i18n];
      el.textContent = typeof value === "function" ? value(document.body.dataset.municipality || "") : value;
    });
    input.placeholder = t("placeholder");
    list.setAttribute("aria-label", t("conversation"));
    toggle.textContent = t("toggle");
    toggle.setAttribute("aria-label", t("toggleLabel"));
    toggle.setAttribute("aria-pressed", String(lang === "en"));
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
      a.textContent = `${t("download")}: ${message.document_name || "bestand"}`;
      a.setAttribute("download", message.document_name || "");
      block.append(a);
      li.append(block);
    }
    if (message.text) {
      const p = document.createElement("div");
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
    if (text.length > MAX_CHARS) { showNotice(t("tooLong")); return; }
    showNotice("");
    const own = bubble("in");
    appendText(own, title || text);
    scrollDown();
    busy = true;
    typing.hidden = false;
    sendButton.disabled = true;
    try {
      const body = { session_id: sessionId, text };
      if (title) body.title = title;
      const response = await fetch(API, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (response.status === 422) {
        showNotice(text.length > MAX_CHARS ? t("tooLong") : t("empty"));
      } else if (!response.ok) {
        showNotice(t("error"));
      } else {
        const data = await response.json();
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
    if (!response.ok) return [];
    return (await response.json()).messages;
  }

  async function poll() {
    if (busy || document.hidden) return;
    try {
      const messages = await fetchMessages(lastId);
      if (busy) return; // a send started meanwhile; its answer renders these
      messages.filter((m) => m.direction === "out").forEach(render);
    } catch (err) { /* offline: try again next time */ }
  }

  async function start() {
    applyLanguage();
    const welcome = bubble("out");
    welcome.id = "welcome";
    welcome.textContent = t("welcome");
    try { (await fetchMessages(0)).forEach(render); } catch (err) { /* first visit or offline */ }
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
  toggle.addEventListener("click", () => {
    lang = lang === "nl" ? "en" : "nl";
    localStorage.setItem("wegwijs.lang", lang);
    applyLanguage();
  });

  start();
})();
