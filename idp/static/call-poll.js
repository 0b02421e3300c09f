// Progressive enhancement for "verify by call" screens: poll the call's status
// and submit the Continue form once the right digits were keyed in. Without
// this file the user presses Continue themselves.
(function () {
  "use strict";
  function watch(form) {
    var url = form.getAttribute("data-poll-url");
    var status = document.getElementById(form.getAttribute("data-poll-status"));
    var timer = window.setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (!body) { return; }
          if (body.status === "answered") {
            window.clearInterval(timer);
            form.submit();
          } else if (status && body.message) {
            status.textContent = body.message;
          }
        })
        .catch(function () { /* keep polling: the server may be restarting */ });
    }, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-poll-url]").forEach(watch);
  });
}());
