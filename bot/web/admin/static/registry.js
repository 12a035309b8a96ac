// A file larger than the server takes is refused here, with its name and the limit, before the
// upload starts: the server would refuse it only after receiving it, and a request past the sum
// of the limits gets the web framework's bare 413 instead of this page.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var most = Number(form.dataset.maxBytes);
  var shown = document.getElementById("too-big");
  form.addEventListener("submit", function (event) {
    var names = Array.prototype.filter.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files.length > 0 && input.files[0].size > most;
    }).map(function (input) { return input.dataset.name; });
    shown.hidden = names.length === 0;
    if (names.length === 0) return;
    event.preventDefault();
    shown.textContent = names.join("、") + form.dataset.tooBig;
  });
})();
