"""Response headers pinned in code: isolation, hardening and caching policy.

`crossOriginIsolated` must be true so that PyScript workers can use
SharedArrayBuffer (and touch the DOM through Atomics); that takes COOP + COEP
on the document and CORP on every subresource.
"""

from __future__ import annotations

__all__ = ["SECURITY_HEADERS", "CACHE_IMMUTABLE", "CACHE_PRIVATE_IMMUTABLE", "CACHE_REVALIDATE", "CACHE_NONE", "CONTENT_SECURITY_POLICY"]

SECURITY_HEADERS: dict[str, str] = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
}

#: Versioned runtime files never change under the same URL.
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
#: This person's own never-changing bytes (a start snapshot named by its digest).
CACHE_PRIVATE_IMMUTABLE = "private, max-age=31536000, immutable"
#: Page files change while people edit them: always revalidate (ETag makes that a 304).
CACHE_REVALIDATE = "no-cache"
#: Answers that must never be reused (errors, API).
CACHE_NONE = "no-store"

#: The offline guarantee, enforced by the engine itself: documents and workers may load
#: only from this origin (and blob:/data: URLs they make). A page that still names an
#: unknown remote URL gets a console error instead of a network request.
CONTENT_SECURITY_POLICY = (
    "default-src 'self' 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval' blob: data:; "
    "connect-src 'self' blob: data:; "
    "form-action 'self'; "  # (not covered by default-src) a form cannot post page data elsewhere
    "frame-ancestors 'self'"
)
SECURITY_HEADERS["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
