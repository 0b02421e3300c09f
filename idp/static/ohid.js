// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function setUpEyes() {
    document.querySelectorAll("[data-toggle-password]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-toggle-password"));
      if (!input) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var show = input.type === "password";
        input.type = show ? "text" : "password";
        // One accessible name, "Show"; aria-pressed says whether the password is shown.
        button.setAttribute("aria-pressed", show ? "true" : "false");
        button.title = show ? "Hide password" : "Show password";
      });
    });
  }
  document.addEventListener("DOMContentLoaded", setUpEyes);
}());
