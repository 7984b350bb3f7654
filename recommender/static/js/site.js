/* Progressive enhancement only: every page works the same without this file. */
(function () {
  "use strict";

  // An error summary or message is focused so that it is read out first and is on screen.
  var focusTarget = document.querySelector("[data-focus-on-load]");
  if (focusTarget) { focusTarget.focus(); }

  // Interests: say how many are chosen as they change. The server still checks the limit.
  var counter = document.getElementById("interests-count");
  if (counter) {
    var max = Number(counter.getAttribute("data-max")) || 3;
    var boxes = document.querySelectorAll('input[name="interests"]');
    var sayInterests = function () {
      var n = document.querySelectorAll('input[name="interests"]:checked').length;
      counter.textContent = n > max
        ? "You have chosen " + n + ". Please untick " + (n - max) + ": up to " + max + " count."
        : n + " of " + max + " chosen.";
      counter.classList.toggle("over", n > max);
    };
    boxes.forEach(function (box) { box.addEventListener("change", sayInterests); });
  }

  // Radio groups: a letter jumps to the next answer whose label starts with it (type-ahead), so
  // "s" reaches "Supply chain manager" where the arrow keys need six presses. Arrows still work.
  document.addEventListener("keydown", function (event) {
    var radio = event.target;
    if (!radio || radio.type !== "radio" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (!/^[a-z0-9]$/i.test(event.key)) { return; }
    var scope = radio.form || document;
    var group = Array.prototype.slice.call(
      scope.querySelectorAll('input[type="radio"][name="' + CSS.escape(radio.name) + '"]'));
    var start = group.indexOf(radio);
    var letter = event.key.toLowerCase();
    for (var step = 1; step <= group.length; step++) {
      var candidate = group[(start + step) % group.length];
      var label = candidate.labels && candidate.labels[0] ? candidate.labels[0].textContent.trim() : "";
      if (label.charAt(0).toLowerCase() === letter) {
        event.preventDefault();
        candidate.checked = true;
        candidate.focus();
        candidate.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
    }
  });

  // Compare: say how many programs are ticked. The server refuses more than three.
  var compare = document.querySelector("[data-compare]");
  var hint = document.getElementById("compare-hint");
  if (compare && hint) {
    var limit = Number(compare.getAttribute("data-max")) || 3;
    var picks = document.querySelectorAll('input[name="ids"][form="compare-form"]');
    var sayPicks = function () {
      var n = document.querySelectorAll('input[name="ids"][form="compare-form"]:checked').length;
      hint.textContent = n > limit
        ? n + " ticked: please untick " + (n - limit) + " to compare up to " + limit + "."
        : n + " of " + limit + " ticked." + (n < 2 ? " Tick at least two." : "");
      hint.classList.toggle("over", n > limit);
    };
    picks.forEach(function (box) { box.addEventListener("change", sayPicks); });
  }
}());
