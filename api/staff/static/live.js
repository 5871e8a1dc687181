/* The live chat pages of the staff console. Without this script the pages still work by
   forms and reloading; with it, the queue updates itself and the chat shows messages as they
   arrive (server-sent events, which reconnect by themselves and carry on from the last
   message seen). If the session ends mid-chat, nothing typed is lost: it stays in the box. */
(function () {
  "use strict";

  var lists = document.getElementById("live-lists");
  if (lists) {
    setInterval(function () {
      fetch("/staff/live?refresh=true", { credentials: "same-origin", redirect: "follow" })
        .then(function (response) {
          if (response.redirected || !response.ok) { return null; }
          return response.text();
        })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live-lists");
          if (fresh && !lists.contains(document.activeElement)) { lists.innerHTML = fresh.innerHTML; }
        })
        .catch(function () { /* offline for a moment: the next try will do */ });
    }, 10000);
  }

  var transcript = document.getElementById("live-transcript");
  if (!transcript) { return; }
  var status = document.getElementById("live-status");
  var flags = document.getElementById("live-flags");
  var flagWords = document.getElementById("live-flag-words");
  var form = document.getElementById("live-send");
  var textBox = document.getElementById("live-text");
  var seen = {};
  var FLAG_WORDS = {
    emergency: "Danger now (999 guidance shown to them)",
    self_harm: "Self-harm (Samaritans and 999 guidance shown to them)",
    danger_by_meaning: "Possible danger (999 guidance shown to them)"
  };
  var ENDINGS = {
    left: "They left the chat. Its messages are deleted.",
    handed_back: "Handed back to the assistant.",
    ended: "The chat has ended.",
    timed_out: "The chat has ended."
  };

  function say(words, problem) {
    status.hidden = false;
    status.textContent = words;
    status.className = problem ? "notice notice-problem" : "notice";
  }

  function add(sender, who, words, extraClass) {
    var item = document.createElement("li");
    item.className = "from-" + sender + (extraClass ? " " + extraClass : "");
    if (who) {
      var label = document.createElement("span");
      label.className = "who";
      label.textContent = who + ": ";
      item.appendChild(label);
    }
    var body = document.createElement("bdi");
    body.className = "note-text";
    body.textContent = words;
    item.appendChild(body);
    transcript.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
  }

  function endControls() {
    Array.prototype.forEach.call(document.querySelectorAll("form button"), function (button) {
      if (!button.closest(".console-header")) { button.disabled = true; }
    });
  }

  var events = new EventSource(transcript.getAttribute("data-events"));
  var renderedUpTo = parseInt(transcript.getAttribute("data-last"), 10) || 0;
  events.addEventListener("message", function (event) {
    var data = JSON.parse(event.data);
    if (data.id <= renderedUpTo || seen[data.id]) { return; }
    seen[data.id] = true;
    if (data.kind === "text" || data.kind === "quick") {
      add(data.sender, data.sender === "worker" ? "You" : "Them", data.text);
    } else if (data.kind === "flag") {
      var words = data.flags.map(function (flag) { return FLAG_WORDS[flag] || flag; }).join("; ");
      add("system", "", "Safety flag: " + words, "flag-urgent");
      flags.hidden = false;
      flagWords.textContent = words;
    } else if (ENDINGS[data.kind]) {
      say(ENDINGS[data.kind], data.kind === "left");
      events.close();
      endControls();
    }
  });
  events.addEventListener("gone", function () {
    say("They exited: the conversation has been erased everywhere. Nothing more can be sent.", true);
    events.close();
    endControls();
  });
  events.addEventListener("signed_out", function () {
    say("Your session has ended. Sign in again in a new tab, then reload this page: the chat is still yours and nothing is lost.", true);
    events.close();
  });
  events.onerror = function () {
    if (events.readyState === EventSource.CLOSED) {
      say("Lost contact with the server. Reload this page (sign in again if asked): the chat and its messages are kept while it is open.", true);
    }
  };

  function post(formElement, keepText) {
    var body = new FormData(formElement);
    return fetch(formElement.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Live-Console": "1" }
    }).then(function (response) {
      if (response.redirected && response.url.indexOf("/staff/sign-in") !== -1) {
        say("Your session has ended, so this was not sent. Sign in again in a new tab, then send it again: your words are still in the box.", true);
        return;
      }
      return response.json().then(function (data) {
        if (data.error === "ended") {
          say("The chat has ended, so this was not sent.", true);
          endControls();
        } else if (data.not_delivered === "whatsapp_window") {
          say("Not delivered: more than 24 hours since they last wrote on WhatsApp. It reaches them only if they write again.", true);
        } else if (data.not_delivered) {
          say("Not delivered to their phone.", true);
        } else if (data.ok && !keepText) {
          textBox.value = "";
          status.hidden = true;
        }
      });
    }).catch(function () {
      say("Not sent: the server could not be reached. Your words are still in the box.", true);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!textBox.value.trim()) { return; }
    post(form, false);
  });
  Array.prototype.forEach.call(document.querySelectorAll(".live-quick"), function (quick) {
    quick.addEventListener("submit", function (event) {
      event.preventDefault();
      post(quick, true);
    });
  });
})();
