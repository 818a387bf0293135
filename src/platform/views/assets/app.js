// Small enhancements only: every page works without this file.
(() => {
  if (!('querySelector' in document) || !('addEventListener' in window)) return;
  // Move focus to an error summary so screen readers announce it.
  document.addEventListener('DOMContentLoaded', () => {
    var summary = document.querySelector('.error-summary[data-focus]');
    if (summary) summary.focus();
    // Forms with data-autosave post their fields there when an answer changes (a draft kept as
    // it is typed); the status line says so. Without JavaScript the draft is saved on "continue".
    document.querySelectorAll('form[data-autosave]').forEach((form) => {
      var status = form.querySelector('[data-autosave-status]');
      var timer;
      form.addEventListener('change', () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          var body = new URLSearchParams(new FormData(form));
          fetch(form.getAttribute('data-autosave'), {
            method: 'POST',
            body: body,
            credentials: 'same-origin',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          })
            .then((r) => {
              if (r.ok && status) status.textContent = status.getAttribute('data-autosave-status');
            })
            .catch(() => {});
        }, 300);
      });
    });
    // Keyboard shortcuts (workbench): a link with data-shortcut="n" is followed on the key N, unless
    // the key is typed into a field or with a modifier. Without JavaScript the link is still there.
    document.addEventListener('keydown', (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
      var el = ev.target || {};
      var tag = String(el.tagName || '').toLowerCase();
      if (tag === 'input' || tag === 'select' || tag === 'textarea' || el.isContentEditable) return;
      var link = document.querySelector('a[data-shortcut="' + String(ev.key).toLowerCase() + '"]');
      if (link) {
        ev.preventDefault();
        link.click();
      }
    });
    // Elements with data-autosubmit submit their form when changed (region switcher).
    document.querySelectorAll('[data-autosubmit]').forEach((el) => {
      el.addEventListener('change', () => {
        if (el.form) el.form.submit();
      });
    });
  });
})();
