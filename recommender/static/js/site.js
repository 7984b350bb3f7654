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

  // The quiz in steps: one section at a time with a progress list; the last step (limits) is
  // optional. The form stays one form, so what is posted is the same as without this script. A
  // page that already shows errors keeps every section open, so each error link leads somewhere.
  var quizForm = document.querySelector("form[data-quiz][data-steps]");
  if (quizForm && !document.querySelector(".error-summary")) {
    var sections = Array.prototype.slice.call(quizForm.querySelectorAll("[data-step]"));
    var progress = quizForm.querySelector("[data-progress]");
    var submitRow = quizForm.querySelector("[data-submit-row]");
    var current = 0;
    var requiredIn = function (section) {
      // Questions with no default must be answered before moving on (the server checks again).
      return Array.prototype.slice.call(section.querySelectorAll("fieldset.question")).filter(function (set) {
        return !set.querySelector("input:checked");
      });
    };
    var show = function (index, focus) {
      current = index;
      sections.forEach(function (section, i) {
        section.hidden = i !== index;
        var nav = section.querySelector("[data-step-nav]");
        if (nav) { nav.hidden = false; }
      });
      submitRow.hidden = index !== sections.length - 1;
      Array.prototype.forEach.call(progress.querySelectorAll("[data-progress-step]"), function (item, i) {
        if (i === index) { item.setAttribute("aria-current", "step"); } else { item.removeAttribute("aria-current"); }
        item.classList.toggle("done", i < index);
      });
      if (focus) { sections[index].querySelector(".section-title").focus(); }
    };
    var next = function () {
      var section = sections[current];
      var missing = requiredIn(section);
      var problem = section.querySelector("[data-step-problem]");
      if (missing.length) {
        problem.textContent = "Please answer: " + missing.map(function (set) {
          return set.querySelector("legend").textContent.trim();
        }).join("; ");
        problem.hidden = false;
        missing[0].querySelector("input").focus();
        return;
      }
      problem.hidden = true;
      problem.textContent = "";
      show(Math.min(current + 1, sections.length - 1), true);
    };
    quizForm.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      if (button.hasAttribute("data-step-next")) { next(); }
      if (button.hasAttribute("data-step-back")) { show(Math.max(current - 1, 0), true); }
    });
    // Enter in an answer submits a form implicitly: before the last required step it moves on.
    quizForm.addEventListener("submit", function (event) {
      if (current < sections.length - 2) {
        event.preventDefault();
        next();
        return;
      }
      var gap = sections.slice(0, -1).findIndex(function (section) { return requiredIn(section).length; });
      if (gap >= 0) {
        event.preventDefault();
        show(gap, false);
        next();  // names what is missing on that step and focuses it
      }
    });
    progress.hidden = false;
    quizForm.classList.add("stepped");
    show(0, false);
  }

  // Compare: say how many programs are ticked, and keep a tray in view with their names and a
  // Compare button. Without this script the form's own button does the same; the server refuses
  // more than three either way.
  var compare = document.querySelector("[data-compare]");
  var hint = document.getElementById("compare-hint");
  var tray = document.querySelector("[data-compare-tray]");
  if (compare && hint) {
    var limit = Number(compare.getAttribute("data-max")) || 3;
    var picks = document.querySelectorAll('input[name="ids"][form="compare-form"]');
    var trayText = tray ? tray.querySelector("[data-tray-text]") : null;
    var sayPicks = function () {
      var ticked = Array.prototype.filter.call(picks, function (box) { return box.checked; });
      var n = ticked.length;
      var message = n > limit
        ? n + " ticked: please untick " + (n - limit) + " to compare up to " + limit + "."
        : n + " of " + limit + " ticked." + (n < 2 ? " Tick at least two." : "");
      hint.textContent = message;
      hint.classList.toggle("over", n > limit);
      if (tray) {
        tray.hidden = n === 0;
        // Each box is described by its program's heading: the tray names the ticked ones.
        trayText.textContent = message + (n ? " " + ticked.map(function (box) {
          var heading = document.getElementById((box.getAttribute("aria-describedby") || "").split(" ")[0]);
          return heading ? heading.textContent.trim() : box.value;
        }).join("; ") : "");
      }
    };
    picks.forEach(function (box) { box.addEventListener("change", sayPicks); });
    if (Array.prototype.some.call(picks, function (box) { return box.checked; })) { sayPicks(); }
  }

  // Copy the permanent link. The link itself stays on the page to select by hand.
  var copy = document.querySelector("[data-copy]");
  if (copy && navigator.clipboard) {
    var status = document.querySelector("[data-copy-status]");
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        status.textContent = "Link copied.";
      }, function () {
        status.textContent = "Could not copy: select the link and copy it.";
      });
    });
  }
}());
