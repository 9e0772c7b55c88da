// Passkeys (WebAuthn): the one step of the portal that needs a script. A form marked
// data-passkey="create" or "get" carries the server's options in the JSON block it names;
// on submit the browser's passkey dialog runs, its answer goes into the form's hidden
// "credential" field, and the form is sent as usual (with its CSRF token). Without this
// script the form is sent without an answer and the server says what is missing.
"use strict";

(function () {
  const supported =
    window.PublicKeyCredential &&
    typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function" &&
    typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function";

  for (const form of document.querySelectorAll("form[data-passkey]")) {
    const status = form.querySelector("[data-passkey-status]");
    const say = (text) => {
      if (status) status.textContent = text;
    };
    if (!supported) {
      say(form.dataset.unsupported);
      continue;
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say("");
      const options = JSON.parse(document.getElementById(form.dataset.options).textContent);
      try {
        const credential =
          form.dataset.passkey === "create"
            ? await navigator.credentials.create({
                publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey),
              })
            : await navigator.credentials.get({
                publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey),
              });
        form.elements.credential.value = JSON.stringify(credential.toJSON());
        form.submit();
      } catch (error) {
        say(form.dataset.cancelled);
      }
    });
  }
})();
