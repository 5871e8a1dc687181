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
  var maxChars = parseInt(body.dataset.maxChars, 10) || 2000;

  // exit.js blanks the page and sends the erasure; here we drop the transcript.
  window.FrontDoorExit.onExit(function () {
    transcript.textContent = "";
    conversationId = null;
  });

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
  var RESOURCE_LINK = /((?:https?:\/\/[^\s/]+)?\/resources\/[a-z0-9-]+)/g;

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
      if (!response.ok) { throw new Error("status " + response.status); }
      return response.json();
    }).then(function (data) {
      conversationId = data.conversation_id;
      body.dataset.conversationId = conversationId;  // for the exit's erasure
      if (body.dataset.embedded && body.dataset.parentOrigin && window.parent !== window) {
        // Embedded: the host page's exit button needs the id to erase the conversation.
        window.parent.postMessage({ frontDoorConversation: conversationId }, body.dataset.parentOrigin);
      }
      data.messages.forEach(function (message) {
        addMessage(message.text, "bot");
        addButtons(message.buttons || []);
      });
    }).catch(function () {
      showError(body.dataset.error);
    }).finally(function () {
      typing.hidden = true;
    });
  }

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
