{% load static %}// The service worker: today's plan and the result open without a connection (runners are
// outdoors). Pages are fetched from the network first and the last copy kept on this device
// only; the static files, whose names change with their content, come from the cache.
"use strict";

var CACHE = "backpain-{{ version }}";
var OFFLINE = "{% url 'assessments:offline' %}";
var PRECACHE = [
  OFFLINE,
  "{% static 'bootstrap/css/bootstrap.min.css' %}",
  "{% static 'css/app.css' %}",
  "{% static 'js/app.js' %}",
  "{% static 'js/plan.js' %}",
  "{% static 'img/favicon.svg' %}",
];
// The runner's own pages worth keeping for offline reading: the result, today's plan, the whole plan.
var KEPT = /^\/r\/[A-Za-z0-9_-]{43}\/(program\/(plan\/)?)?$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(PRECACHE); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("{% get_static_prefix %}") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode !== "navigate") return;
  var keep = KEPT.test(url.pathname);
  event.respondWith(
    fetch(request).then(function (response) {
      if (keep && response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      } else if (keep && (response.status === 404 || response.status === 410)) {
        // Deleted (perhaps on another device): the copy kept here goes too.
        caches.open(CACHE).then(function (cache) { cache.delete(url.pathname); });
      }
      return response;
    }).catch(function () {
      return caches.match(keep ? url.pathname : OFFLINE).then(function (hit) {
        return hit || caches.match(OFFLINE);
      });
    })
  );
});
