// The page of an upload in progress: ask whether it is still under way every two seconds,
// and reload the page (which then shows the report, or goes on to the run) once it ended.
(function () {
  "use strict";
  var status = document.getElementById("job-status");
  if (!status || !status.dataset.poll) { return; }
  function ask() {
    fetch(status.dataset.poll, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (job && job.unfinished) { setTimeout(ask, 2000); }
        else if (job) { window.location.reload(); }
      })
      .catch(function () { setTimeout(ask, 5000); });
  }
  setTimeout(ask, 2000);
}());
