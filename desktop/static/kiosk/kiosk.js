// Injected into every page a kiosk shows (desktop/kiosk/lockdown.py writes its settings).
// It keeps the page on the screen and nobody at the keyboard able to leave it:
//  - a heartbeat every second from a timer: Python hung on the page's main thread stops
//    JavaScript timers as well, so silence is what the kiosk's watchdog acts on;
//  - no context menu, zoom, pinch or browser shortcuts; the cursor hides when idle;
//  - the exit chord, with a PIN prompt when the kiosk has a PIN (checked by the app, not here).
(() => {
  "use strict";
  const config = window.__pyscriptDesktopKiosk;
  delete window.__pyscriptDesktopKiosk;
  if (!config || window.__pyscriptDesktopKioskOn) return;
  window.__pyscriptDesktopKioskOn = true;
  const top = window.top === window;

  const post = (op, body) =>
    fetch(config.api + op, {
      method: "POST", cache: "no-store", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: config.token, ...body }),
    });

  // -- input: when the person last touched anything (idle reset, cursor hiding) -------------------
  let lastInput = null;  // performance.now() of the last input, null while nobody has touched the page
  const css = document.createElement("style");
  css.textContent =
    "html{touch-action:pan-x pan-y}" +
    "html.pyscript-kiosk-idle,html.pyscript-kiosk-idle *{cursor:none!important}";
  document.documentElement.append(css);
  let cursorTimer = null;
  const hideCursorLater = () => {
    document.documentElement.classList.remove("pyscript-kiosk-idle");
    if (config.hideCursorAfter == null) return;
    clearTimeout(cursorTimer);
    cursorTimer = setTimeout(() => document.documentElement.classList.add("pyscript-kiosk-idle"), config.hideCursorAfter);
  };
  for (const type of ["pointermove", "pointerdown", "keydown", "wheel", "touchstart"]) {
    addEventListener(type, (event) => {
      if (event.isTrusted) lastInput = performance.now();
      if (type !== "keydown") hideCursorLater();
    }, { capture: true, passive: true });
  }
  hideCursorLater();

  // -- heartbeat ----------------------------------------------------------------------------------
  if (top) {
    const beat = () => post("heartbeat", {
      url: location.href,
      idle_ms: lastInput == null ? null : Math.round(performance.now() - lastInput),
    }).catch(() => {});
    beat();
    setInterval(beat, config.heartbeat);
    const shown = () => post("shown", { url: location.href, title: document.title }).catch(() => {});
    if (document.readyState === "complete") shown();
    else addEventListener("load", shown, { once: true });
  }

  // -- lockdown -----------------------------------------------------------------------------------
  const chord = config.chord;
  const isChord = (e) =>
    e.key.toLowerCase() === chord.key && e.ctrlKey === chord.ctrl && e.altKey === chord.alt &&
    e.shiftKey === chord.shift && e.metaKey === chord.meta;
  const BLOCKED_KEYS = new Set(["F1", "F3", "F5", "F6", "F7", "F11", "F12", "BrowserBack", "BrowserForward",
    "BrowserRefresh", "BrowserHome", "BrowserSearch", "BrowserFavorites", "BrowserStop", "ZoomIn", "ZoomOut"]);
  const CTRL_LETTERS = new Set(["r", "w", "p", "o", "s", "n", "t", "u", "f", "g", "h", "j", "l", "d", "q", "e", "k",
    "+", "-", "=", "0", "_"]);
  const blocked = (e) => {
    if (BLOCKED_KEYS.has(e.key)) return true;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if ((e.ctrlKey || e.metaKey) && CTRL_LETTERS.has(key)) return true;
    if ((e.ctrlKey || e.metaKey) && e.shiftKey && ["i", "j", "c", "delete", "Delete"].includes(key)) return true;
    if (e.altKey && ["ArrowLeft", "ArrowRight", "Home", "Left", "Right"].includes(e.key)) return true;
    return false;
  };
  addEventListener("keydown", (e) => {
    if (isChord(e)) {
      e.preventDefault();
      e.stopImmediatePropagation();
      if (top) askToExit();
      else window.top.postMessage({ pyscriptKioskExit: true }, location.origin);
      return;
    }
    if (blocked(e)) e.preventDefault();  // the page still sees the key; the engine does not act on it
  }, { capture: true });
  addEventListener("contextmenu", (e) => e.preventDefault(), { capture: true });
  addEventListener("wheel", (e) => { if (e.ctrlKey) e.preventDefault(); }, { capture: true, passive: false });
  addEventListener("touchmove", (e) => { if (e.touches.length > 1) e.preventDefault(); }, { capture: true, passive: false });
  for (const type of ["gesturestart", "gesturechange", "gestureend"]) {
    addEventListener(type, (e) => e.preventDefault(), { capture: true, passive: false });
  }
  addEventListener("dragstart", (e) => {
    if (e.target?.closest?.("a,img")) e.preventDefault();  // a dragged link is a way out of the page
  }, { capture: true });

  // -- exit ----------------------------------------------------------------------------------------
  let prompt = null;
  const style = (el, text) => (el.style.cssText = text, el);
  const closePrompt = () => { prompt?.remove(); prompt = null; };
  const askToExit = () => {
    if (!config.pin) {
      post("exit", {}).catch(() => {});
      return;
    }
    if (prompt) return;
    prompt = style(document.createElement("div"),
      "position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;" +
      "background:#000a;font:18px/1.4 system-ui,sans-serif");
    prompt.className = "pyscript-kiosk-exit";
    const box = style(document.createElement("form"),
      "background:#fff;color:#222;padding:24px 28px;border-radius:10px;display:flex;flex-direction:column;gap:12px;min-width:260px");
    const label = document.createElement("label");
    label.textContent = "PIN to leave the kiosk";
    const input = style(document.createElement("input"), "font:inherit;padding:6px 8px;letter-spacing:4px");
    Object.assign(input, { type: "password", inputMode: "numeric", autocomplete: "off", name: "pin" });
    const note = style(document.createElement("div"), "min-height:1.4em;color:#b00020;font-size:15px");
    note.className = "pyscript-kiosk-exit-note";
    box.append(label, input, note);
    prompt.append(box);
    document.documentElement.append(prompt);
    input.focus();
    let idle = setTimeout(closePrompt, 30000);
    input.addEventListener("keydown", (e) => {
      clearTimeout(idle);
      idle = setTimeout(closePrompt, 30000);
      if (e.key === "Escape") closePrompt();
    });
    box.addEventListener("submit", async (e) => {
      e.preventDefault();
      const pin = input.value;
      input.value = "";
      let status = 0;
      try { status = (await post("exit", { pin })).status; } catch (_) { status = 0; }
      if (status === 204) {
        note.style.color = "#222";
        note.textContent = "Leaving the kiosk…";
      } else {
        note.textContent = status === 429 ? "Too many wrong PINs. Wait a little." : "Wrong PIN.";
        input.focus();
      }
    });
  };
  if (top) {
    addEventListener("message", (e) => {
      if (e.origin === location.origin && e.data?.pyscriptKioskExit) askToExit();
    });
  }
})();
