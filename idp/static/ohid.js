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
        button.textContent = show ? "Hide" : "Show";
        button.setAttribute("aria-pressed", show ? "true" : "false");
      });
    });
  }
  document.addEventListener("DOMContentLoaded", setUpEyes);
}());
