// Small enhancements only: every page works without this file.
(function () {
  'use strict';
  if (!('querySelector' in document) || !('addEventListener' in window)) return;
  // Move focus to an error summary so screen readers announce it.
  document.addEventListener('DOMContentLoaded', function () {
    var summary = document.querySelector('.error-summary');
    if (summary) summary.focus();
    // Elements with data-autosubmit submit their form when changed (region switcher).
    document.querySelectorAll('[data-autosubmit]').forEach(function (el) {
      el.addEventListener('change', function () {
        if (el.form) el.form.submit();
      });
    });
  });
})();
