// The portal's idle timeout (Optum Pro FAQ): a warning before the end, then sign-out.
// The server enforces the same limit on its own; this only shows it in time.
(function () {
  "use strict";
  var dialog = document.getElementById("idle-warning");
  var form = document.getElementById("idle-timeout");
  if (!dialog || !form) {
    return;
  }
  var idle = Number(dialog.dataset.idleSeconds) * 1000;
  var warning = Number(dialog.dataset.warningSeconds) * 1000;
  setTimeout(function () {
    if (typeof dialog.showModal === "function") {
      dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
  }, idle - warning);
  setTimeout(function () {
    form.submit();
  }, idle);
})();
