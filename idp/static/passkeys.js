// Passkeys (WebAuthn) for forms marked data-passkey="register" or "authenticate".
// The form posts the browser's credential as JSON in its hidden "credential"
// field; the options come from the form's data-options-url (POST, CSRF header).
// Without JavaScript the form still posts, and the server explains that a
// passkey needs it.
(function () {
  "use strict";

  function toBuffer(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var binary = atob(b64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      var copy = Object.assign({}, item);
      copy.id = toBuffer(item.id);
      return copy;
    });
  }

  function creationOptions(options) {
    options.challenge = toBuffer(options.challenge);
    options.user.id = toBuffer(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return options;
  }

  function requestOptions(options) {
    options.challenge = toBuffer(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    return options;
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var out = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      out.response.attestationObject = toText(response.attestationObject);
      out.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(response.authenticatorData);
      out.response.signature = toText(response.signature);
      out.response.userHandle = toText(response.userHandle);
    }
    return JSON.stringify(out);
  }

  function setUp(form) {
    var mode = form.getAttribute("data-passkey");
    var status = form.querySelector("[data-passkey-status]");
    var token = form.querySelector("input[name=csrf_token]");
    function say(text) { if (status) { status.textContent = text; } }
    // A failure is told in OHID's words from the form's data-passkey-failed, never the
    // browser's own (which names the WebAuthn spec); the server's detail is OHID's already.
    function fail(error) {
      say("");
      var text = (error && error.fromServer) ? error.message
        : (form.getAttribute("data-passkey-failed") || "We couldn't use your passkey. Try again.");
      var box = form.querySelector("[data-passkey-error]");
      if (!box) {
        box = document.createElement("div");
        box.className = "error";
        box.setAttribute("role", "alert");
        box.setAttribute("data-passkey-error", "");
        box.id = (form.id || "passkey-" + mode) + "-error";
        form.appendChild(box);
      }
      box.textContent = "";
      var line = document.createElement("p");
      line.textContent = text;
      box.appendChild(line);
      var button = form.querySelector("button[type=submit]");
      if (button) { button.setAttribute("aria-describedby", box.id); }
    }
    form.addEventListener("submit", function (event) {
      if (!window.PublicKeyCredential || !window.fetch) { return; }
      event.preventDefault();
      say("Follow your browser's instructions to use your passkey.");
      fetch(form.getAttribute("data-options-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" }
      }).then(function (answer) {
        return answer.json().then(function (body) {
          if (!answer.ok) {
            var refused = new Error(body.detail || "We couldn't start the passkey request. Try again.");
            refused.fromServer = true;
            throw refused;
          }
          return body;
        });
      }).then(function (options) {
        if (mode === "register") {
          return navigator.credentials.create({ publicKey: creationOptions(options) });
        }
        return navigator.credentials.get({ publicKey: requestOptions(options) });
      }).then(function (credential) {
        form.querySelector("input[name=credential]").value = credentialJSON(credential);
        form.submit();
      }).catch(fail);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-passkey]").forEach(setUp);
  });
}());

// "Copy" buttons for codes shown once (the recovery code).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.clipboard) { return; }
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.replace(/\s+/g, "")).then(function () {
          button.textContent = "Copied";
        });
      });
    });
  });
}());
