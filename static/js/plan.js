// Today's plan, made a little more comfortable with JavaScript. Everything here is optional:
// without it the ticks are a plain form with a "Save my ticks" button and there is no timer.
(function () {
  "use strict";

  // --- Done ticks: saved as soon as a box changes, without reloading the page ---------------
  var form = document.querySelector("form[data-ticks]");
  if (form && window.fetch && window.FormData) {
    var status = form.querySelector("[data-tick-status]");
    var saveButton = form.querySelector("button[type=submit]");
    if (saveButton) saveButton.hidden = true;
    var sending = null;
    var again = false;

    var save = function () {
      if (sending) { again = true; return; }
      sending = fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (!response.ok || !json) {
            // Refused (the day or the plan has changed) or not ours to read (the result was
            // deleted, the session expired): the plain form shows the new page and says why.
            form.submit();
            return;
          }
          return response.json().then(function (data) { status.textContent = data.message; });
        })
        .catch(function () {
          // Offline or the server is away: the plain form still works once back.
          status.textContent = "Not saved: you seem to be offline. Your ticks are kept on this page; press Save when you are back online.";
          if (saveButton) saveButton.hidden = false;
        })
        .then(function () {
          sending = null;
          if (again) { again = false; save(); }
        });
    };
    form.addEventListener("change", function (event) {
      if (event.target.name === "done") save();
    });
  }

  // --- The hold timer: each hold for its seconds, then the rest, for every set and side -----
  var timers = document.querySelectorAll(".timer[data-hold]");
  Array.prototype.forEach.call(timers, function (timer) {
    var hold = parseInt(timer.dataset.hold, 10);
    var rest = parseInt(timer.dataset.rest, 10) || 0;
    var rounds = parseInt(timer.dataset.rounds, 10) || 1;
    var button = timer.querySelector(".timer-button");
    var label = timer.querySelector(".timer-label");
    var display = timer.querySelector(".timer-display");
    var announce = document.getElementById("timer-announcer");
    var tick = null;
    timer.hidden = false;

    var say = function (words) { if (announce) announce.textContent = words; };
    var stop = function (words) {
      window.clearInterval(tick);
      tick = null;
      label.textContent = "Start the timer";
      display.textContent = words || "";
      if (words) say(words);
    };
    var run = function (round, phase, seconds) {
      var left = seconds;
      var name = phase === "hold" ? "Hold " + round + " of " + rounds : "Rest";
      display.textContent = name + ": " + left + " s";
      say(name + ", " + seconds + " seconds");
      tick = window.setInterval(function () {
        left -= 1;
        if (left > 0) { display.textContent = name + ": " + left + " s"; return; }
        window.clearInterval(tick);
        if (navigator.vibrate) navigator.vibrate(200);
        if (phase === "hold" && round < rounds && rest > 0) { run(round, "rest", rest); }
        else if (round < rounds) { run(round + 1, "hold", hold); }
        else { stop("All " + rounds + " holds done."); }
      }, 1000);
    };
    button.addEventListener("click", function () {
      if (tick) { stop("Timer stopped."); return; }
      label.textContent = "Stop the timer";
      run(1, "hold", hold);
    });
  });
})();
