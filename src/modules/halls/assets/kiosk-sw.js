// The kiosk's service worker: the guide pages and the stylesheet are kept on the kiosk, so when
// the network drops the guide still shows (network first, the saved copy when it fails). Nothing
// personal is kept: only /kiosk/guide and the assets are cached, never a signed-in page.
var CACHE = 'tongban-kiosk-v1';
self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(['/halls/assets/halls.css', '/kiosk/kiosk.js'])));
  self.skipWaiting();
});
self.addEventListener('activate', (e) => {
  e.waitUntil(self.clients.claim());
});
self.addEventListener('fetch', (e) => {
  var url = new URL(e.request.url);
  var cacheable =
    e.request.method === 'GET' &&
    (url.pathname === '/kiosk/guide' ||
      url.pathname === '/halls/assets/halls.css' ||
      url.pathname === '/kiosk/kiosk.js');
  if (!cacheable) return;
  e.respondWith(
    fetch(e.request)
      .then((res) => {
        var copy = res.clone();
        if (res.ok) caches.open(CACHE).then((c) => c.put(e.request, copy));
        return res;
      })
      .catch(() => caches.match(e.request)),
  );
});
