// While a retrain runs, the models page polls its status and shows the stage, progress and log;
// when it ends the page reloads to show the gate's decision and the new version.
(function () {
  "use strict";
  var live = document.getElementById("retrain-live");
  if (!live) return;
  var stage = document.getElementById("retrain-stage");
  var bar = document.getElementById("retrain-progress");
  var log = document.getElementById("retrain-log");

  function poll() {
    fetch(live.dataset.status, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (status) {
        if (!status.running) { window.location.reload(); return; }
        stage.textContent = status.stage;
        bar.value = status.percent;
        bar.textContent = status.percent + "%";
        log.textContent = status.log.join("\n");
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
