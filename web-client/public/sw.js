// Liaison's service worker: it keeps the app shell (index.html, the hashed /assets/ files, the
// manifest and icons) so the installed app opens quickly and offline. It NEVER stores anything
// from /api/ (or /health, /metrics): messages, documents and keys are end-to-end encrypted in the
// key store, and server answers must not linger in a cache. Pages are network-first (a new
// version is used as soon as it is online); hashed assets never change, so they are cache-first.
const CACHE = 'liaison-shell-v1';
const SHELL = ['/index.html', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

const neverCached = (path) => path.startsWith('/api/') || path === '/health' || path === '/metrics';

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || neverCached(url.pathname)) return;

  if (request.mode === 'navigate') {
    // Network first; every client route is index.html, kept fresh for offline starts.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && response.type === 'basic') {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put('/index.html', copy));
          }
          return response;
        })
        .catch(() => caches.match('/index.html').then((cached) => cached ?? Response.error())),
    );
    return;
  }

  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      caches.match(request).then(
        (cached) =>
          cached ??
          fetch(request).then((response) => {
            if (response.ok && response.type === 'basic') {
              const copy = response.clone();
              caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
    return;
  }

  if (SHELL.includes(url.pathname)) {
    event.respondWith(fetch(request).catch(() => caches.match(url.pathname).then((c) => c ?? Response.error())));
  }
});

// A click on a message notification this worker showed (where pages cannot show their own):
// bring a Liaison tab forward and ask it to open the channel, or open one there.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = typeof event.notification.data?.path === 'string' ? event.notification.data.path : '/c';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((all) => {
      const open = all.find((c) => new URL(c.url).origin === self.location.origin);
      if (!open) return self.clients.openWindow(path);
      open.postMessage({ type: 'open', path });
      return open.focus();
    }),
  );
});
