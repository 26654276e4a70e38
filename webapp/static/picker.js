// The proposal form's pickers (webapp/templates/propose.html), as progressive enhancement:
// the form works without this file. With it, a text box filters the EIRA building blocks as
// one types (the views with a match open, the others hide), ticking a block that several
// views list ticks it in each, each view says how many of its blocks are chosen, and typing
// another licence ticks "another licence".
(function () {
  "use strict";

  function fold(text) {  // case and accents do not matter: "semantique" finds "Sémantique"
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function chosenCount(group) {
    var seen = {};
    group.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) { seen[box.value] = true; });
    return Object.keys(seen).length;
  }

  function showChosen(picker, group) {
    var summary = group.querySelector("summary");
    var span = summary.querySelector(".picked");
    var n = chosenCount(group);
    if (!n) {
      if (span) { span.remove(); }
      return;
    }
    if (!span) {
      span = document.createElement("span");
      span.className = "picked";
      summary.appendChild(document.createTextNode(" "));
      summary.appendChild(span);
    }
    span.textContent = "(" + picker.dataset.chosen.replace("{n}", String(n)) + ")";
  }

  function enhance(picker) {
    var box = picker.querySelector("[data-picker-filter]");
    var input = box && box.querySelector("input");
    var status = box && box.querySelector("[role=status]");
    var groups = Array.prototype.slice.call(picker.querySelectorAll("details.picker-group"));
    var wasOpen = groups.map(function (g) { return g.open; });

    picker.addEventListener("change", function (event) {
      var changed = event.target;
      if (changed.type !== "checkbox") { return; }
      picker.querySelectorAll("input[type=checkbox]").forEach(function (other) {
        if (other.value === changed.value) { other.checked = changed.checked; }
      });
      groups.forEach(function (g) { showChosen(picker, g); });
    });

    if (!input) { return; }
    box.hidden = false;
    function filter() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = {};
      groups.forEach(function (group, i) {
        var matches = 0;
        group.querySelectorAll("li").forEach(function (item) {
          var name = fold(item.querySelector("label").textContent);
          var ok = words.every(function (w) { return name.indexOf(w) !== -1; });
          item.hidden = !ok;
          if (ok) {
            matches += 1;
            shown[item.querySelector("input").value] = true;
          }
        });
        if (words.length) {
          group.hidden = matches === 0;
          group.open = matches > 0;
        } else {
          group.hidden = false;
          group.open = wasOpen[i] || chosenCount(group) > 0;
        }
      });
      status.textContent = words.length ? input.dataset.shown.replace("{n}", String(Object.keys(shown).length)) : "";
    }
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // filtering, not sending the form
    });
    groups.forEach(function (group, i) {
      group.addEventListener("toggle", function () { if (!input.value.trim()) { wasOpen[i] = group.open; } });
    });
    if (input.value) { filter(); }  // a value the browser kept on going back
  }

  document.querySelectorAll("[data-picker]").forEach(enhance);

  var other = document.getElementById("licence_other");
  var otherChoice = document.getElementById("licence-other");
  if (other && otherChoice) {
    other.addEventListener("input", function () { if (other.value.trim()) { otherChoice.checked = true; } });
  }
}());
