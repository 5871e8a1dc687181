// Front Door web chat. The transcript lives only in this page's memory:
// nothing is written to cookies, localStorage, sessionStorage or IndexedDB.
(function () {
  "use strict";
  var body = document.body;
  var transcript = document.getElementById("transcript");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var typing = document.getElementById("typing");
  var conversationId = null;
  // While waiting for a support worker, or chatting with one: their messages arrive here as
  // server-sent events; EventSource reconnects by itself and carries on from the last one.
  var live = null;
  var maxChars = parseInt(body.dataset.maxChars, 10) || 2000;
  var pageWords = JSON.parse(document.getElementById("page-words").textContent);

  // exit.js blanks the page and sends the erasure; here we drop the transcript.
  window.FrontDoorExit.onExit(function () {
    stopLive();
    transcript.textContent = "";
    conversationId = null;
  });

  var ENDINGS = ["handed_back", "ended", "left", "timed_out"];

  function stopLive() {
    if (live) { live.close(); live = null; }
  }

  function listenLive() {
    if (live || !conversationId) { return; }
    live = new EventSource("/api/chat/" + encodeURIComponent(conversationId) + "/live/events");
    live.addEventListener("message", function (event) {
      var data = JSON.parse(event.data);
      data.messages.forEach(function (message) {
        if (data.from === "worker") {
          addMessage(data.name + ": " + message.text, "worker");
        } else {
          addMessage(message.text, "bot");
        }
        addButtons(message.buttons || []);
      });
      if (ENDINGS.indexOf(data.kind) !== -1) { stopLive(); }
    });
    live.addEventListener("gone", stopLive);
  }

  // Shown once per visit: what the exit does, and what it cannot do.
  var note = document.getElementById("exit-note");
  var dismiss = document.getElementById("exit-note-dismiss");
  if (note && dismiss) {
    dismiss.addEventListener("click", function () {
      note.hidden = true;
      input.focus();
    });
  }

  // Links to this site's topic pages become real links (opened beside the chat, so the
  // conversation is not lost). Everything else stays plain text.
  var RESOURCE_LINK = /((?:https?:\/\/[^\s/]+)?\/resources\/[a-z0-9-]+(?:\?lang=[a-z]{2,3})?)/g;

  function fillText(element, text) {
    text.split(RESOURCE_LINK).forEach(function (part, index) {
      if (index % 2 === 1) {
        var link = document.createElement("a");
        link.href = part;
        link.textContent = part;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        element.appendChild(link);
      } else if (part) {
        element.appendChild(document.createTextNode(part));
      }
    });
  }

  function addMessage(text, who) {
    var item = document.createElement("li");
    item.className = "msg msg-" + who;
    // Each message keeps its own direction: an English name in an Arabic chat, or a
    // message written before the language changed, still reads the right way.
    item.dir = "auto";
    if (who === "bot") { item.lang = body.dataset.locale; }
    if (who === "bot") { fillText(item, text); } else { item.textContent = text; }
    transcript.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
    return item;
  }

  function addButtons(buttons) {
    if (!buttons.length) { return; }
    var row = document.createElement("li");
    row.className = "buttons";
    buttons.forEach(function (button) {
      var el = document.createElement("button");
      el.type = "button";
      el.textContent = button.title;
      el.dir = "auto";
      el.addEventListener("click", function () { send(button.payload, button.title); });
      row.appendChild(el);
    });
    transcript.appendChild(row);
  }

  function showError(text) {
    var item = addMessage(text, "bot");
    item.classList.add("error");
  }

  function send(text, shown) {
    if (shown) { addMessage(shown, "user"); }
    typing.hidden = false;
    return fetch("/api/chat/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation_id: conversationId, text: text, locale: body.dataset.locale }),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      // 429: over a rate limit, with a calm answer (999 and the helpline) to show.
      if (!response.ok && response.status !== 429) { throw new Error("status " + response.status); }
      return response.json();
    }).then(function (data) {
      conversationId = data.conversation_id;
      if (data.locale && data.locale !== body.dataset.locale) { useLanguage(data.locale); }
      body.dataset.conversationId = conversationId;  // for the exit's erasure
      if (body.dataset.embedded && body.dataset.parentOrigin && window.parent !== window) {
        // Embedded: the host page's exit button needs the id to erase the conversation.
        window.parent.postMessage({ frontDoorConversation: conversationId }, body.dataset.parentOrigin);
      }
      data.messages.forEach(function (message) {
        addMessage(message.text, "bot");
        addButtons(message.buttons || []);
      });
      if (data.live) { listenLive(); } else { stopLive(); }
    }).catch(function () {
      showError(body.dataset.error);
    }).finally(function () {
      typing.hidden = true;
    });
  }

  // The page follows the conversation's language: its words, and its direction (Arabic and
  // Urdu read right to left). The page is not reloaded, so the conversation goes on.
  function useLanguage(code) {
    var words = pageWords[code];
    if (!words) { return; }
    body.dataset.locale = code;
    document.documentElement.lang = code;
    document.documentElement.dir = words.direction;
    document.querySelectorAll("[data-word]").forEach(function (el) {
      el.textContent = words[el.dataset.word];
    });
    document.querySelectorAll("[data-word-label]").forEach(function (el) {
      el.setAttribute("aria-label", words[el.dataset.wordLabel]);
    });
    document.querySelectorAll("[data-language]").forEach(function (el) {
      if (el.dataset.language === code) { el.setAttribute("aria-current", "true"); }
      else { el.removeAttribute("aria-current"); }
    });
    var tracks = document.getElementById("tracks-link");
    if (tracks) { tracks.href = "/resources/covering-your-tracks?lang=" + code; }
    if (!body.dataset.neutralTitle) { document.title = words.title; }
    body.dataset.error = words.error;
    body.dataset.tooLong = words.too_long;
    body.dataset.shiftTwoMore = words.shift_two_more;
    body.dataset.shiftOneMore = words.shift_one_more;
  }

  // Choosing a language here changes it in the conversation, without leaving the page.
  document.querySelectorAll("[data-language]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (link.dataset.language === body.dataset.locale) { return; }
      send('/choose_language{"language":"' + link.dataset.language + '"}', link.textContent);
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    if (text.length > maxChars) { showError(body.dataset.tooLong); return; }
    input.value = "";
    send(text, text);
  });

  send("/greet", null);
}());
