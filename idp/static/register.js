// Create One Healthcare ID: live rule checklists and the call-verification poll.
// Progressive enhancement only: the server checks every rule and the pages work without this file.
(function () {
  "use strict";

  // Python's str.isspace also counts NEL and the four ASCII separators.
  var SPACE_OR_INVISIBLE = /[\s\p{Cf}\p{Z}\u0085\u001c-\u001f]/u;

  var CHECKS = {
    username: {
      length: function (v, d) { return v.length >= +d.min && v.length <= +d.max; },
      letter: function (v) { return /\p{L}/u.test(v); },
      // These three mirror idp/policy/usernames.py: an ID is printable ASCII without
      // spaces; a non-ASCII letter or mark breaks "accents", whitespace or an invisible
      // character breaks "spaces", and controls or any other non-ASCII break "symbols".
      no_accents: function (v) {
        return !Array.from(v).some(function (c) {
          return c.charCodeAt(0) >= 128 && /[\p{L}\p{M}]/u.test(c);
        });
      },
      no_spaces: function (v) { return !SPACE_OR_INVISIBLE.test(v); },
      no_symbols: function (v, d) {
        return !Array.from(v).some(function (c) {
          if (d.forbidden.indexOf(c) !== -1) { return true; }
          if (SPACE_OR_INVISIBLE.test(c)) { return false; }
          if (/\p{Cc}/u.test(c)) { return true; }
          return c.charCodeAt(0) >= 128 && !/[\p{L}\p{M}]/u.test(c);
        });
      }
    },
    password: {
      length: function (v, d) { return v.length >= +d.min && v.length <= +d.max; },
      upper: function (v) { return /\p{Lu}/u.test(v); },
      lower: function (v) { return /\p{Ll}/u.test(v); },
      digit: function (v) { return /\p{Nd}/u.test(v); },
      no_spaces: function (v) { return !/\s/.test(v) && v.indexOf("&") === -1; },
      not_username: function (v, d) {
        var other = d.usernameField ? document.getElementById(d.usernameField) : null;
        var name = other ? other.value : (d.username || "");
        return !name || v.toLowerCase() !== name.toLowerCase();
      }
    }
  };

  function tick(list, input) {
    // data-rule-set names the rules when the field is not called "username"/"password".
    var checks = CHECKS[list.dataset.ruleSet || list.getAttribute("data-rules-for")] || {};
    list.querySelectorAll("li[data-rule]").forEach(function (item) {
      var check = checks[item.getAttribute("data-rule")];
      if (!check) { return; }
      var met = check(input.value, list.dataset);
      item.classList.toggle("met", met);
      var state = item.querySelector(".rule-state");
      if (state) { state.textContent = met ? "Met:" : "Not met:"; }
    });
  }

  function setUpRuleLists() {
    document.querySelectorAll("ul[data-rules-for]").forEach(function (list) {
      var input = document.getElementById(list.getAttribute("data-rules-for"));
      if (!input) { return; }
      var update = function () { tick(list, input); };
      input.addEventListener("input", update);
      if (list.dataset.usernameField) {
        var other = document.getElementById(list.dataset.usernameField);
        if (other) { other.addEventListener("input", update); }
      }
      // An empty field after a refused submit (passwords are never sent back): keep the
      // server's ticks, which name the rules the submitted value broke.
      if (input.value) { update(); }
    });
  }

  function setUpCallPoll() {
    var box = document.querySelector("[data-call-status-url]");
    if (!box) { return; }
    var url = box.getAttribute("data-call-status-url");
    var form = document.getElementById(box.getAttribute("data-call-done-form"));
    var finished = false;
    function poll() {
      if (finished) { return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          if (status.text) {
            box.textContent = "";
            var line = document.createElement("p");
            line.textContent = status.text;
            box.appendChild(line);
          }
          box.classList.toggle("error", ["rejected", "dead", "expired"].indexOf(status.state) !== -1);
          if (status.state === "verified") {
            finished = true;
            if (form) { form.submit(); }
          } else if (["dead", "expired", "none"].indexOf(status.state) !== -1) {
            finished = true;
          } else {
            window.setTimeout(poll, 1500);
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpRuleLists();
    setUpCallPoll();
  });
}());
