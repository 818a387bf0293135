// The kiosk: touch anywhere keeps the session; after the idle time without a touch the page
// signs out and clears the screen (/kiosk/reset). The service worker keeps the guide pages for
// when the network drops, and the banner says so. Every page works without this file (a meta
// refresh resets a signed-in page).
(() => {
  var body = document.body;
  var hall = body.getAttribute('data-hall') || '';
  var idle = Number(body.getAttribute('data-idle') || '0');
  var timer;
  var warning;
  var banner = document.getElementById('kiosk-network');
  var reset = () => {
    window.location.replace('/kiosk/reset?hall=' + encodeURIComponent(hall));
  };
  var arm = () => {
    if (!idle) return;
    clearTimeout(timer);
    clearTimeout(warning);
    if (banner?.getAttribute('data-warned')) {
      banner.textContent = '';
      banner.removeAttribute('data-warned');
    }
    // fifteen seconds before: say so; a touch starts the time again
    warning = setTimeout(
      () => {
        if (!banner) return;
        banner.textContent = body.getAttribute('data-warn') || '';
        banner.setAttribute('data-warned', '1');
      },
      Math.max(0, idle - 15) * 1000,
    );
    timer = setTimeout(reset, idle * 1000);
  };
  ['pointerdown', 'touchstart', 'keydown'].forEach((type) => {
    document.addEventListener(type, arm, { passive: true });
  });
  arm();
  var show = () => {
    if (banner) banner.textContent = navigator.onLine ? '' : body.getAttribute('data-offline') || '';
  };
  window.addEventListener('online', show);
  window.addEventListener('offline', show);
  show();
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/kiosk/sw.js').catch(() => {});
})();
