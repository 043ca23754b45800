// Small comforts for the runner's pages; each works without this file too.
(function () {
  "use strict";

  // Copy the private link: the link is on the page as text either way.
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () { status.textContent = "Copied. Keep it somewhere only you can see."; },
        function () { status.textContent = "Could not copy: select the link and copy it by hand."; }
      );
    });
  });

  // Installable and readable offline: the service worker keeps the last copy of the runner's
  // pages on this device (pages that name a manifest: the result and the plan).
  if ("serviceWorker" in navigator && document.querySelector("link[rel=manifest]")) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* the pages work without it */ });
  }
  // A page read from this device's copy says so, so that nobody mistakes it for today's news.
  var note = document.getElementById("offline-note");
  var showOffline = function () { if (note) note.hidden = navigator.onLine; };
  window.addEventListener("online", showOffline);
  window.addEventListener("offline", showOffline);
  showOffline();
})();
