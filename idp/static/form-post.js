// OAuth 2.0 Form Post Response Mode: send the authorization response on at once.
document.querySelectorAll("form[data-auto-submit]").forEach((form) => form.submit());
