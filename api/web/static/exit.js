// Quick exit for pages without the chat: blank the page, then replace it in history.
(function () {
  "use strict";
  var link = document.getElementById("exit");
  var overlay = document.getElementById("exit-overlay");
  link.addEventListener("click", function (event) {
    event.preventDefault();
    overlay.hidden = false;
    window.location.replace(document.body.dataset.exitUrl);
  });
}());
