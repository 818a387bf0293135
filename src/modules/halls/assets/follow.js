// A citizen following their ticket: the hall's events say when numbers are called; the ticket's
// position and wait are read again then (with a little jitter, so thousands of phones do not
// ask at once). Without this file the page has a refresh link.
(() => {
  var box = document.querySelector('[data-follow-ticket]');
  if (!box || !('EventSource' in window) || !('fetch' in window)) return;
  var hall = box.getAttribute('data-follow-hall');
  var id = box.getAttribute('data-follow-ticket');
  var status = document.getElementById('ticket-status');
  var position = document.getElementById('ticket-position');
  var wait = document.getElementById('ticket-wait');
  var template = (el) => el?.textContent.replace(/\d+/, '{n}');
  var posT = template(position);
  var waitT = template(wait);
  var pending;
  var refresh = () => {
    fetch('/api/v1/halls/' + encodeURIComponent(hall) + '/tickets/' + encodeURIComponent(id), {
      headers: { accept: 'application/json' },
    })
      .then((r) => (r.ok ? r.json() : null))
      .then((v) => {
        if (!v) return;
        if (position && posT) position.textContent = posT.replace('{n}', String(v.position));
        if (wait && waitT) wait.textContent = waitT.replace('{n}', String(v.estimatedWaitMinutes));
        if (v.status !== 'waiting') window.location.reload();
      })
      .catch(() => {});
  };
  var es = new EventSource('/api/v1/halls/' + encodeURIComponent(hall) + '/events');
  es.addEventListener('call', () => {
    clearTimeout(pending);
    pending = setTimeout(refresh, Math.random() * 2000);
  });
  if (status) status.setAttribute('aria-live', 'polite');
})();
