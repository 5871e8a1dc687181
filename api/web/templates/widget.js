// Front Door widget for a service's own website:
//   <script src="https://chat.example.org/widget.js" defer
//           data-exit-url="https://www.bbc.co.uk/weather"></script>
// The chat runs in a frame from the chat's own address; this script adds the button that
// opens it and a quick exit that leaves the host page (button, or Shift three times).
// No cookies, no storage, no third-party requests.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var origin = new URL(script.src).origin;
  var WORDS = {{ words | tojson }};
  var LANGUAGE = { lang: {{ locale | tojson }}, dir: {{ direction | tojson }} };
  var exitUrl = script.dataset.exitUrl || {{ exit_destination | tojson }};
  var conversationId = null;
  var panel = null;
  var leaving = false;

  function element(tag, attributes, text) {
    var el = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) { el.setAttribute(name, attributes[name]); });
    if (text) { el.textContent = text; }
    return el;
  }

  var style = element("style", {});
  style.textContent =
    ".fd-launch{position:fixed;inset-inline-end:1rem;bottom:1rem;z-index:2147483000;font:700 1rem system-ui,sans-serif;" +
    "padding:.75rem 1rem;border:0;border-radius:6px;background:#1d70b8;color:#fff;cursor:pointer}" +
    ".fd-panel{position:fixed;inset-inline-end:1rem;bottom:1rem;z-index:2147483001;width:min(24rem,calc(100vw - 2rem));" +
    "height:min(40rem,calc(100vh - 2rem));display:flex;flex-direction:column;background:#fff;" +
    "border:2px solid #0b0c0c;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.3)}" +
    ".fd-bar{display:flex;justify-content:space-between;gap:.5rem;padding:.5rem;border-bottom:1px solid #b1b4b6}" +
    ".fd-bar button{font:700 1rem system-ui,sans-serif;padding:.5rem .75rem;border-radius:4px;cursor:pointer}" +
    ".fd-exit{background:#d4351c;color:#fff;border:0;box-shadow:0 2px 0 #55150b}" +
    ".fd-close{background:#fff;color:#0b0c0c;border:2px solid #0b0c0c}" +
    ".fd-frame{flex:1;border:0;width:100%}" +
    ".fd-launch:focus,.fd-bar button:focus{outline:3px solid #fd0;outline-offset:0}" +
    ".fd-blank{position:fixed;inset:0;z-index:2147483647;background:#fff}" +
    ".fd-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}";
  document.head.appendChild(style);

  var status = element("p", { "class": "fd-hidden", "aria-live": "assertive", "lang": LANGUAGE.lang });
  document.body.appendChild(status);

  function exitNow() {
    if (leaving) { return; }
    leaving = true;
    var blank = element("div", { "class": "fd-blank" });
    document.body.appendChild(blank);                 // 1. blank the page at once
    if (panel) { panel.remove(); panel = null; }      // 2. the chat frame goes with it
    if (conversationId && navigator.sendBeacon) {     // 3. erase on the server
      navigator.sendBeacon(origin + "/api/chat/" + encodeURIComponent(conversationId) + "/exit");
    }
    conversationId = null;
    window.location.replace(exitUrl);                 // 4. leave; Back does not return
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data) { return; }
    if (event.data.frontDoorConversation) { conversationId = String(event.data.frontDoorConversation); }
    if (event.data.frontDoorExit) { exitNow(); }
  });

  var shifts = 0;
  var firstShift = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") { shifts = 0; return; }
    if (event.repeat) { return; }
    var now = Date.now();
    if (shifts === 0 || now - firstShift > 5000) { shifts = 0; firstShift = now; }
    shifts += 1;
    if (shifts >= 3) { exitNow(); return; }
    status.textContent = shifts === 1 ? WORDS.shift_two_more : WORDS.shift_one_more;
  });

  var launch = element("button", { "type": "button", "class": "fd-launch", "aria-haspopup": "dialog",
    "lang": LANGUAGE.lang, "dir": LANGUAGE.dir }, WORDS.widget_open);
  document.body.appendChild(launch);

  function open() {
    if (panel) { return; }
    panel = element("div", { "class": "fd-panel", "role": "dialog", "aria-label": WORDS.widget_frame_title,
      "lang": LANGUAGE.lang, "dir": LANGUAGE.dir });
    var bar = element("div", { "class": "fd-bar" });
    var exit = element("button", { "type": "button", "class": "fd-exit" });
    exit.appendChild(element("span", { "class": "fd-hidden" }, WORDS.exit_hidden_prefix + " "));
    exit.appendChild(document.createTextNode(WORDS.exit_button));
    exit.addEventListener("click", exitNow);
    var close = element("button", { "type": "button", "class": "fd-close" }, WORDS.widget_close);
    close.addEventListener("click", function () { panel.remove(); panel = null; launch.hidden = false; launch.focus(); });
    bar.appendChild(exit);
    bar.appendChild(close);
    var frame = element("iframe", {
      "class": "fd-frame",
      "title": WORDS.widget_frame_title,
      "src": origin + "/embed?lang=" + encodeURIComponent(LANGUAGE.lang) +
        "&parent_origin=" + encodeURIComponent(window.location.origin),
      "referrerpolicy": "no-referrer"
    });
    panel.appendChild(bar);
    panel.appendChild(frame);
    document.body.appendChild(panel);
    launch.hidden = true;
    exit.focus();
  }
  launch.addEventListener("click", open);
}());
