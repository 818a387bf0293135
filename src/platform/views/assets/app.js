// Small enhancements only: every page works without this file.
(() => {
  if (!('querySelector' in document) || !('addEventListener' in window)) return;
  // Move focus to an error summary so screen readers announce it.
  document.addEventListener('DOMContentLoaded', () => {
    var summary = document.querySelector('.error-summary[data-focus]');
    if (summary) summary.focus();
    // Elements with data-autosubmit submit their form when changed (region switcher).
    document.querySelectorAll('[data-autosubmit]').forEach((el) => {
      el.addEventListener('change', () => {
        if (el.form) el.form.submit();
      });
    });
  });
})();
