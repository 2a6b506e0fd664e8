/* The service worker of Siaga's offline pages (the field app, the logistics handover): keeps
 * the page shell so the page opens without signal. Network first (a fresh page, CSRF token and
 * data when there is signal), the kept copy when there is none. Submissions are never cached or
 * replayed here: the page's outbox (IndexedDB) owns them, with their idempotency keys. Each app
 * keeps its own caches ("{{ prefix }}..."), never another app's on the same origin. */
var CACHE = "{{ version }}";
var PREFIX = "{{ prefix }}";
var SHELL = {{ shell|safe }};

function keep(cache, url) {
  // A redirect (to the login page, when the session has ended) is never kept as the app.
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    if (response.ok && !response.redirected) return cache.put(url, response);
  }).catch(function () {});
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(SHELL.map(function (url) { return keep(cache, url); }));
    })
  );
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf(PREFIX) === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || SHELL.indexOf(url.pathname) === -1) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(url.pathname);
      }).then(function (hit) { return hit || Response.error(); });
    })
  );
});
