// "Send" buttons on a share's page: they open the phone's own share sheet
// (the Web Share API), where there is one. Written by hand, like app.js.
//
//   <button type="button" class="govuk-button" data-share-url="https://…/s/…"
//     data-share-text="I have shared…" data-share-fallback="send-links" hidden>Send</button>
//   <ul id="send-links"> text message and WhatsApp links </ul>
//
// Without a share sheet (or without JavaScript) the button stays hidden
// and the links, which need no script, are used instead.

for (const button of document.querySelectorAll('button[data-share-url]')) {
  const data = { text: button.dataset.shareText, url: button.dataset.shareUrl };
  if (typeof navigator.share !== 'function' || (navigator.canShare && !navigator.canShare(data))) {
    continue;
  }
  button.hidden = false;
  const fallback = document.getElementById(button.dataset.shareFallback || '');
  if (fallback) {
    fallback.hidden = true;
  }
  button.addEventListener('click', function () {
    // Closing the share sheet without sending rejects: nothing to do.
    navigator.share(data).catch(function () {});
  });
}
