// binhdang's entry service worker (reports.views.offline.service_worker), scope: the report
// pages. It keeps no page and no figure: report pages always come from the network (they are
// no-store); when the network cannot be reached it answers with the offline page, which says
// what still waits in this browser and reopens the page when the network returns. Static files
// come from its cache: at once when their name carries their content's hash (production), else
// from the network first.
"use strict";
const CACHE = "binhdang-entry-{{ version }}";
const OFFLINE = "{{ offline_url|escapejs }}";
const STATIC = "{{ static_url|escapejs }}";
const ASSETS = [{% for url in assets %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) {
        return cache.add(OFFLINE).then(function () {
          return Promise.allSettled(ASSETS.map(function (url) { return cache.add(url); }));
        });
      })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (key) {
          return key.startsWith("binhdang-entry-") && key !== CACHE;
        }).map(function (key) { return caches.delete(key); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

async function fromCache(request, hashed) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached && hashed) return cached;
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    if (cached) return cached;
    throw error;
  }
}

async function page(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const offline = await caches.match(OFFLINE, { ignoreVary: true });
    if (offline) return offline;
    throw error;
  }
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname.startsWith(STATIC)) event.respondWith(fromCache(request, HASHED.test(url.pathname)));
});
