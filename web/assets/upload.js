// Sending a document from the "Add a document" page, for phones on a weak
// signal. Copied unchanged into web/static by scripts/assets; the page
// loads it as a module:
//
//   <script type="module" src="/assets/upload.js"></script>
//
// Without JavaScript the form is sent as any form is. With it:
//
//   - the form is sent only once: the Save button is disabled at the first
//     press, so a second tap on a slow connection sends nothing more;
//   - a progress bar shows how much of the file has gone
//     (XMLHttpRequest's upload progress events), and a sentence in an
//     aria-live region says that it is sending;
//   - when the file is saved, the server names the next page
//     (X-Satchel-Next, with 204) and the browser goes there; the form with
//     what to put right is shown in place, as a browser would show it (a
//     form sent with no file chosen is sent as any form is: there is no
//     progress to show);
//   - if the connection fails, the page says so and Save works again.
//
//   <form method="post" enctype="multipart/form-data" data-upload
//     data-sending-text="Sending your file…" data-failed-text="It did not send…">
//     …
//     <div data-upload-progress hidden>
//       <label class="govuk-label" for="upload-progress">Sending your file…</label>
//       <progress id="upload-progress" max="100" value="0"></progress>
//       <p class="govuk-body" aria-live="polite"></p>
//     </div>
//     <button type="submit" class="govuk-button">Save</button>
//   </form>

import { initAll } from './govuk-frontend.min.js';

function setUpUpload(form) {
  const button = form.querySelector('button[type="submit"]');
  const box = form.querySelector('[data-upload-progress]');
  const bar = box ? box.querySelector('progress') : null;
  const status = box ? box.querySelector('[aria-live]') : null;
  let sent = false;

  function say(text) {
    if (status && text) {
      status.textContent = text;
    }
  }

  function again() {
    sent = false;
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-disabled');
    }
    if (bar) {
      bar.value = 0;
    }
    say(form.getAttribute('data-failed-text'));
  }

  form.addEventListener('submit', function (event) {
    if (sent) {
      // Sent once already: never twice.
      event.preventDefault();
      return;
    }
    sent = true;
    if (button) {
      button.disabled = true;
      button.setAttribute('aria-disabled', 'true');
    }
    const file = form.querySelector('input[type="file"]');
    if (typeof window.XMLHttpRequest !== 'function' || typeof window.FormData !== 'function' ||
        !file || !file.files || file.files.length === 0) {
      return; // the browser sends the form itself, once: nothing to show progress of
    }
    event.preventDefault();
    if (box) {
      box.hidden = false;
    }
    say(form.getAttribute('data-sending-text'));
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('X-Satchel-Upload', '1');
    xhr.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable && bar) {
        bar.value = Math.round((100 * e.loaded) / e.total);
      }
    });
    xhr.addEventListener('load', function () {
      const next = xhr.getResponseHeader('X-Satchel-Next');
      if (xhr.status === 204 && next && next.startsWith('/') && !next.startsWith('//')) {
        // Saved: go on to the next page as the browser would after a form.
        window.location.assign(next);
        return;
      }
      if (xhr.status === 0 || !xhr.responseText) {
        again();
        return;
      }
      show(xhr.responseText, xhr.responseURL);
    });
    xhr.addEventListener('error', again);
    xhr.addEventListener('abort', again);
    xhr.addEventListener('timeout', again);
    xhr.send(new FormData(form));
  });
}

// show puts the page the server answered with in place of this one, at
// its address, as if the browser had followed the form there.
function show(html, url) {
  const page = new DOMParser().parseFromString(html, 'text/html');
  if (url && url !== window.location.href) {
    window.history.replaceState(null, '', url);
  }
  document.title = page.title;
  page.body.classList.add('js-enabled');
  if ('noModule' in HTMLScriptElement.prototype) {
    page.body.classList.add('govuk-frontend-supported');
  }
  document.body.replaceWith(document.adoptNode(page.body));
  window.scrollTo(0, 0);
  initAll();
  document.querySelectorAll('form[data-upload]').forEach(setUpUpload);
}

document.querySelectorAll('form[data-upload]').forEach(setUpUpload);
