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
})();
