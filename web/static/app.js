// Satchel's script for the leaver pages and the verifier page. Written by
// hand (scripts/assets does not build it); load it as a module from every
// page:
//
//   <script type="module" src="/assets/app.js"></script>
//
// Everything here is an enhancement: each page works without it.

import { initAll } from './govuk-frontend.min.js';

// GOV.UK Frontend's page template sets these classes with an inline script,
// which Satchel's Content-Security-Policy forbids; this does the same. They
// must be set before initAll, which checks for govuk-frontend-supported.
document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported');
}

initAll();

// Tell screen reader users, through an aria-live region, that something
// happened. Emptying the region first makes a repeated message heard again.
function announce(statusId, message) {
  const status = statusId ? document.getElementById(statusId) : null;
  if (!status || !message) {
    return;
  }
  status.textContent = '';
  window.setTimeout(function () {
    status.textContent = message;
  }, 100);
}

// "Copy link" buttons:
//
//   <input class="govuk-input app-share-link" id="share-link" value="https://…" readonly>
//   <button type="button" class="govuk-button govuk-button--secondary"
//     data-copy-from="share-link" data-copied-text="Link copied"
//     data-status="copy-status" hidden>Copy link</button>
//   <p class="govuk-visually-hidden" id="copy-status" aria-live="polite"></p>
//
// The button stays hidden where the browser cannot write to the clipboard
// (it needs a secure context: https, or http to localhost).
function setUpCopyButton(button) {
  if (!navigator.clipboard || typeof navigator.clipboard.writeText !== 'function') {
    return;
  }
  button.addEventListener('click', function () {
    const source = document.getElementById(button.getAttribute('data-copy-from'));
    if (!source) {
      return;
    }
    const text = 'value' in source && typeof source.value === 'string'
      ? source.value
      : source.textContent.trim();
    navigator.clipboard.writeText(text).then(function () {
      const copied = button.getAttribute('data-copied-text');
      if (copied) {
        button.textContent = copied;
      }
      announce(button.getAttribute('data-status'), copied);
    }, function () {
      // The browser refused (no permission, or the page lost focus). Select
      // the text instead so that it can be copied by hand.
      if (typeof source.select === 'function') {
        source.focus();
        source.select();
      }
    });
  });
  button.hidden = false;
}

// "Print this page" buttons: <button type="button" class="govuk-button
// govuk-button--secondary" data-print hidden>Print this page</button>
function setUpPrintButton(button) {
  if (typeof window.print !== 'function') {
    return;
  }
  button.addEventListener('click', function () {
    window.print();
  });
  button.hidden = false;
}

document.querySelectorAll('button[data-copy-from]').forEach(setUpCopyButton);
document.querySelectorAll('button[data-print]').forEach(setUpPrintButton);
