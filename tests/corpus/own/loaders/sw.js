const CACHE = 'app-v1';
const ASSETS = ['./sw-cache.html', 'https://pyscript.net/releases/2025.8.1/core.js', 'https://pyscript.net/releases/2025.8.1/core.css', 'https://cdn.tailwindcss.com'];
self.addEventListener('install', e => { e.waitUntil(caches.open(CACHE).then(c => c.addAll(ASSETS))); self.skipWaiting(); });
self.addEventListener('activate', e => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', e => { e.respondWith(caches.match(e.request).then(r => r || fetch(e.request))); });
