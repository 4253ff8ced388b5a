// The live preview of `osteon serve`, added at the end of the body of every
// page it serves and never by `build` (see LIVE_JS in serve.rs).
//
// Each `reload` event carries a change as JSON: {n, errors, all, pages,
// reload, follow}. A page that changed (its own address in `pages`, or `all`)
// fetches itself again and swaps in only the nodes that differ, so scroll,
// focus and an open glossary note stay as they were. It reloads in full when
// what it loads or runs changed (stylesheets, scripts, `reload`), and when it
// may have missed a change (`lagged`, or the server restarted). After a save
// of one article, the tab the reader used last goes to its page (`follow`).
// The script element's `data-n` counts the changes published before the page
// was served; the events stream opens with the count now (`hello`), so a
// change made between the load and the connection is not missed.
(() => {
  "use strict";
  const OVERLAY = "osteon-overlay";

  // Which tab the reader used last: each tab keeps an id for its life
  // (sessionStorage survives its navigations) and writes it to the origin's
  // localStorage whenever it is used.
  const LAST_TAB = "osteon-last-tab";
  const tab = (() => {
    try {
      const id = sessionStorage.getItem("osteon-tab") || Math.random().toString(36).slice(2);
      sessionStorage.setItem("osteon-tab", id);
      return id;
    } catch {
      return "";
    }
  })();
  const use = () => {
    try {
      localStorage.setItem(LAST_TAB, tab);
    } catch {}
  };
  const usedLast = () => {
    try {
      const last = localStorage.getItem(LAST_TAB);
      return last === null || last === tab;
    } catch {
      return true;
    }
  };
  for (const type of ["focus", "pointerdown", "keydown"]) addEventListener(type, use, true);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") use();
  });
  if (document.hasFocus()) use();

  // This page's address as the server names pages: `/a/b/`, not `/a/b/index.html`.
  const here = () => {
    let path = location.pathname;
    try {
      path = decodeURIComponent(path);
    } catch {}
    return path.endsWith("/index.html") ? path.slice(0, -"index.html".length) : path;
  };
  // A missing page shows the site's 404 page, so changes to that count too.
  let status = performance.getEntriesByType?.("navigation")[0]?.responseStatus;
  const mine = (page) => page === here() || (status === 404 && page.endsWith("/404.html"));

  // What makes the page look or run as it does: if any of it changed, only
  // a full reload applies it. The rest of the head (title, description,
  // canonical link, JSON-LD) is swapped like the body.
  const ACTIVE =
    'link[rel~="stylesheet"], link[rel~="icon"], style, script, base, meta[name="viewport"], meta[name="color-scheme"], meta[http-equiv]';
  const active = (doc) =>
    [...doc.querySelectorAll(ACTIVE)]
      .filter((e) => e.type !== "application/ld+json" && e.id !== "osteon-live" && !e.closest(`#${OVERLAY}`))
      .map((e) => e.outerHTML)
      .join("\n");

  // Makes `old` equal to `next` (from another document), keeping every node
  // that is equal already, and changed nodes of the same kind in place.
  const morph = (old, next) => {
    if (old.isEqualNode(next)) return;
    if (old.nodeType !== next.nodeType || old.nodeName !== next.nodeName) {
      old.replaceWith(document.importNode(next, true));
    } else if (old.nodeType === Node.ELEMENT_NODE) {
      attributes(old, next);
      children(old, next);
    } else {
      old.nodeValue = next.nodeValue;
    }
  };
  // `open` is the reader's: a <details> they opened stays open.
  const attributes = (old, next) => {
    for (const { name } of [...old.attributes]) {
      if (!next.hasAttribute(name) && name !== "open") old.removeAttribute(name);
    }
    for (const { name, value } of next.attributes) {
      if (old.getAttribute(name) !== value) old.setAttribute(name, value);
    }
  };
  // The equal nodes at the start and the end are kept; those between are
  // morphed pair by pair, and the extra ones removed or added.
  const children = (old, next) => {
    const a = [...old.childNodes];
    const b = [...next.childNodes];
    let start = 0;
    while (start < a.length && start < b.length && a[start].isEqualNode(b[start])) start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a[endA - 1].isEqualNode(b[endB - 1])) {
      endA--;
      endB--;
    }
    const pairs = Math.min(endA, endB) - start;
    for (let i = start; i < start + pairs; i++) morph(a[i], b[i]);
    for (let i = start + pairs; i < endA; i++) a[i].remove();
    const after = a[endA] || null;
    for (let i = start + pairs; i < endB; i++) old.insertBefore(document.importNode(b[i], true), after);
  };

  // Fetches this page again and swaps in what changed.
  const swap = async () => {
    let next;
    try {
      const response = await fetch(location.href, { cache: "no-store" });
      status = response.status;
      next = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch {
      location.reload();
      return;
    }
    if (active(document) !== active(next)) {
      location.reload();
      return;
    }
    const focused = document.activeElement;
    const hadOverlay = document.getElementById(OVERLAY) !== null;
    attributes(document.documentElement, next.documentElement);
    morph(document.head, next.head);
    morph(document.body, next.body);
    // A focused element that was replaced: its successor, found by id, takes focus.
    if (focused && !focused.isConnected && focused.id) {
      document.getElementById(focused.id)?.focus({ preventScroll: true });
    }
    // An overlay the reader closed stays closed until its errors change; a
    // new one is an alert dialog and takes focus, as on a load.
    const overlay = document.getElementById(OVERLAY);
    if (overlay && overlay.outerHTML === closed) overlay.remove();
    else if (overlay && !hadOverlay) overlay.focus();
  };

  // One fetch at a time; changes during one make one more, which sees them all.
  let busy = false;
  let again = false;
  const update = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    do {
      again = false;
      await swap();
    } while (again);
    busy = false;
  };

  // Where this tab is going: a save makes more than one change with the
  // same address to follow, and a second `assign` would cancel the first.
  let following = null;
  let lost = false;
  // The changes this page has seen: those before it was served, then each one told.
  let seen = Number(document.currentScript?.dataset.n) || 0;
  const events = new EventSource("/__osteon/events");
  events.addEventListener("hello", (event) => {
    let n = 0;
    try {
      n = JSON.parse(event.data).n;
    } catch {}
    if (n > seen) {
      seen = n;
      update();
    }
  });
  events.onerror = () => {
    lost = true;
  };
  // The server restarted, or the connection dropped: a change may be missed.
  events.onopen = () => {
    if (lost) location.reload();
  };
  events.addEventListener("reload", (event) => {
    let change;
    try {
      change = JSON.parse(event.data);
    } catch {}
    if (change?.n > seen) seen = change.n;
    if (!change || change.lagged || change.reload) {
      location.reload();
    } else if (change.follow && change.follow !== here() && usedLast()) {
      if (following !== change.follow) location.assign(change.follow);
      following = change.follow;
    } else if (change.all || change.pages.some(mine)) {
      update();
    }
  });

  // The overlay's close button and Escape key, for the overlay of the load
  // and for one swapped in later.
  let closed = "";
  const close = () => {
    const overlay = document.getElementById(OVERLAY);
    closed = overlay?.outerHTML ?? "";
    overlay?.remove();
  };
  document.addEventListener("click", (event) => {
    if (event.target.closest?.(`#${OVERLAY} > button`)) close();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && event.target.closest?.(`#${OVERLAY}`)) close();
  });
  document.getElementById(OVERLAY)?.focus();
})();
