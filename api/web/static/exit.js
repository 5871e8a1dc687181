// Quick exit, on every page: the red button, three Shift presses within 5 seconds, or a
// plain link if JavaScript is off. In order: blank the page, drop what is in memory, tell
// the server to erase the conversation, then replace this page in the history.
(function () {
  "use strict";
  var body = document.body;
  var overlay = document.getElementById("exit-overlay");
  var link = document.getElementById("exit");
  var status = document.getElementById("exit-status");
  var hooks = [];
  var exiting = false;
  var SHIFT_WINDOW_MS = 5000;
  var shiftCount = 0;
  var firstShiftAt = 0;

  function exitNow(event) {
    if (event) { event.preventDefault(); }
    if (exiting) { return; }
    exiting = true;
    overlay.hidden = false;                         // 1. blank at once
    document.title = "";
    hooks.forEach(function (hook) {                 // 2. forget the transcript
      try { hook(); } catch (ignored) { /* keep leaving */ }
    });
    if (body.dataset.embedded && body.dataset.parentOrigin && window.parent !== window) {
      // Inside a service's website: the host page must leave too.
      window.parent.postMessage({ frontDoorExit: true }, body.dataset.parentOrigin);
    }
    var id = body.dataset.conversationId;           // 3. erase on the server
    if (id && navigator.sendBeacon) {
      navigator.sendBeacon("/api/chat/" + encodeURIComponent(id) + "/exit");
    }
    window.location.replace(body.dataset.exitUrl);  // 4. leave; Back does not return
  }

  function announce(text) {
    if (status) { status.textContent = text; }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") {
      shiftCount = 0;                               // any other key starts the count again
      return;
    }
    if (event.repeat) { return; }                   // holding Shift is one press
    var now = Date.now();
    if (shiftCount === 0 || now - firstShiftAt > SHIFT_WINDOW_MS) {
      shiftCount = 0;
      firstShiftAt = now;
    }
    shiftCount += 1;
    if (shiftCount >= 3) {
      exitNow();
    } else {
      announce(shiftCount === 1 ? body.dataset.shiftTwoMore : body.dataset.shiftOneMore);
      window.setTimeout(function () { announce(""); }, SHIFT_WINDOW_MS);
    }
  });

  if (link) { link.addEventListener("click", exitNow); }

  window.FrontDoorExit = {
    onExit: function (hook) { hooks.push(hook); },
    now: exitNow
  };
}());
