import time

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)


class ServerTimingMiddleware:
    """Expose the server's own time so bench/pages.py can separate it from the network."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response


class SecurityHeadersMiddleware:
    """A strict CSP on every page, and no caching of any answer to a signed-in or token request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # An htmx fragment lands in a page that already carries the policy: skip the ~250 bytes.
        if not request.headers.get("HX-Request"):
            response.setdefault("Content-Security-Policy", CSP)
        # Whatever answers a request that carries credentials (a session or an API token, valid
        # or not) stays out of every cache: pages, files, API data, CSV/ADX, errors alike.
        if request.user.is_authenticated or "Authorization" in request.headers:
            response["Cache-Control"] = "no-store"
        return response
