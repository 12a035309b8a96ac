/* Operator console: keeps the "responsible department" preview in step with the operator's corrections. */
(function () {
  "use strict";
  var form = document.getElementById("case-form");
  if (!form) { return; }
  var target = document.getElementById("route-department");
  var reason = document.getElementById("route-reason");

  function refresh() {
    var query = new URLSearchParams({
      category: form.elements.category.value,
      topic: form.elements.topic.value,
      grid: form.elements.grid.value,
      emergency: form.elements.emergency.value
    });
    fetch("/console/route?" + query.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        target.textContent = data.department;
        reason.textContent = data.reason;
      });
  }

  function markChanged(select) {
    var changed = select.value !== select.dataset.suggested;
    select.classList.toggle("changed", changed);
    var note = select.parentNode.querySelector(".changed-note");
    if (changed && !note) {
      note = document.createElement("span");
      note.className = "changed-note";
      note.textContent = "已人工修改";
      select.parentNode.insertBefore(note, select);
    } else if (!changed && note) {
      note.remove();
    }
  }

  // The caller's answer to "who is on the other side?" picks the category the district's guide gives it.
  Array.prototype.forEach.call(form.querySelectorAll("input[name=party]"), function (radio) {
    radio.addEventListener("change", function () {
      var select = form.elements.category;
      select.value = radio.dataset.category;
      markChanged(select);
      refresh();
    });
  });

  // A call marked as an emergency goes to a dispatcher first, whatever the rules would pick.
  var emergency = form.elements.emergency;
  emergency.addEventListener("change", function () {
    emergency.parentNode.classList.toggle("urgent", emergency.value !== "");
    refresh();
  });

  Array.prototype.forEach.call(form.querySelectorAll("[data-route]"), function (select) {
    markChanged(select);
    select.addEventListener("change", function () { markChanged(select); refresh(); });
  });
})();
