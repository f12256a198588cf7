from django.conf import settings


def client_ip(request) -> str | None:
    """The user's address: REMOTE_ADDR, or behind PROXY_COUNT trusted proxies the address they
    saw (X-Forwarded-For, counted from the right so a client cannot forge it)."""
    if request is None:
        return None
    hops = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(addresses) >= hops:
            return addresses[-hops]
    return request.META.get("REMOTE_ADDR")
