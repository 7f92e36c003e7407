/* Wegwijs inbox: live refresh of the queue and of a ticket's conversation (poll every 5 s).
   Text is never inserted as HTML. Forms work without this script. */
(() => {
  "use strict";
  const POLL_MS = 5000;

  async function getJSON(url) {
    // marked as background: the refresh does not count as activity for the idle timeout
    const response = await fetch(url, {
      headers: { Accept: "application/json", "X-Wegwijs-Poll": "1" }, credentials: "same-origin",
    });
    if (response.status === 401) { window.location.assign("/inbox/login"); return null; }
    if (!response.ok) return null;
    return response.json();
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function bdi(lang, text) {
    const node = el("bdi", null, text);
    node.lang = lang;
    return node;
  }

  // the texts come from the catalogue, through the page (data-text-* on the list)
  function renderQueue(list, data) {
    const texts = list.dataset;
    for (const [key, value] of Object.entries(data.counts || {})) {
      const node = document.querySelector(`[data-count="${key}"]`);
      if (node) node.textContent = String(value);
    }
    const items = data.tickets.map((t) => {
      const li = el("li", `ticket-row state-${t.state}${t.reason.startsWith("danger") ? " danger" : ""}`);
      const a = el("a");
      a.href = t.url;
      const top = el("span", "row-top");
      top.append(el("span", "id", `#${t.id}`), el("span", "badge reason", t.reason_label));
      if (t.unanswered) top.append(el("span", "badge new", texts.textNewMessage));
      if (t.language_marker) {
        // a ticket in a language the consultant does not speak: a label, not only a colour
        const marker = el("span", "badge other-language", `${t.language_marker}: `);
        marker.append(bdi(t.language, t.language_label));
        top.append(marker);
      }
      const wait = el("span", "wait", t.waiting_label);
      wait.title = texts.textWaitingTime;
      top.append(wait);
      const rest = [t.municipality_label, t.channel_label, t.created_label].filter(Boolean);
      if (t.assignee_name) rest.push(t.assignee_name);
      const meta = el("span", "meta");
      meta.append(bdi(t.language, t.language_label), document.createTextNode(` · ${rest.join(" · ")}`));
      const summary = el("span", "summary", t.summary || texts.textNoSummary);
      summary.dir = "auto";
      a.append(top, summary, meta);
      li.append(a);
      return li;
    });
    if (!items.length) items.push(el("li", "empty", texts.textEmpty));
    list.replaceChildren(...items);
  }

  function renderTimeline(list, data) {
    const known = new Set(Array.from(list.children, (li) => li.dataset.key));
    const fresh = data.timeline.filter((item) => !known.has(item.key));
    if (!fresh.length && list.children.length === data.timeline.length) return;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    list.replaceChildren(...data.timeline.map((item) => {
      const li = el("li", `item ${item.type}${item.type === "message" ? " " + item.sender : ""}`);
      li.dataset.key = item.key;
      const time = el("time", null, item.at_label);
      time.dateTime = item.at;
      const text = el("p", null, item.text);
      text.dir = "auto"; // Arabic reads right to left, Dutch left to right
      li.append(el("span", "who", item.who), document.createTextNode(" "), time, text);
      return li;
    }));
    if (nearBottom || fresh.length) list.scrollTop = list.scrollHeight;
    const state = document.getElementById("state");
    if (state && state.textContent !== data.state_label) {
      // state changed elsewhere (claimed or closed by a colleague): reload for the right buttons
      window.location.reload();
    }
  }

  function poll(node, render) {
    const url = node.dataset.poll;
    const tick = async () => {
      if (document.hidden) return;
      try {
        const data = await getJSON(url);
        if (data) render(node, data);
      } catch (err) { /* offline: try again next time */ }
    };
    setInterval(tick, POLL_MS);
  }

  const queue = document.getElementById("tickets");
  if (queue) poll(queue, renderQueue);
  const timeline = document.getElementById("timeline");
  if (timeline) {
    timeline.scrollTop = timeline.scrollHeight;
    poll(timeline, renderTimeline);
  }
  const filters = document.getElementById("filters");
  if (filters) {
    filters.querySelectorAll("select, input[type=checkbox]")
      .forEach((s) => s.addEventListener("change", () => filters.requestSubmit()));
  }
})();
