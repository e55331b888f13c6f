// A written report's files being made by the job queue: their progress, asked every two
// seconds, until each is ready (a link to it) or failed, for an hour at most (a file not made
// by then will not be) and not after an answer that is not one. Without this script the page
// shows the progress it was loaded with.
(function () {
  "use strict";
  function watch(row) {
    var url = row.getAttribute("data-progress-url");
    var asked = 0;
    var timer = window.setInterval(function () {
      asked += 1;
      if (asked > 1800) { window.clearInterval(timer); return; }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .catch(function () { return null; })
        .then(function (data) {
          if (!data) { window.clearInterval(timer); return; }
          var status = row.querySelector(".report-status");
          var bar = status.querySelector("progress");
          var words = status.querySelector("span");
          if (data.status === "queued" || data.status === "running") {
            if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
            if (words) { words.textContent = data.status_label + (data.step ? ": " + data.step : ""); }
            return;
          }
          window.clearInterval(timer);
          status.textContent = data.status_label;
          if (data.download) {
            var cell = row.querySelector(".report-link");
            var link = document.createElement("a");
            link.href = data.download;
            link.textContent = cell.getAttribute("data-label") || "↓";
            cell.textContent = "";
            cell.appendChild(link);
          }
        });
    }, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("tr[data-progress-url]").forEach(watch);
  });
})();
