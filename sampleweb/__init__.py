"""A bundled sample web: static-looking company sites built from real YC records, served on loopback.

Sites live at each record's real domain over plain http; the product reaches them by using the server
as its HTTP proxy (``LEADGEN_HTTP_PROXY=http://127.0.0.1:PORT``). Unknown hosts get 502, nothing is
ever forwarded to the internet. Ground truth for every site: ``sampleweb.truth.site_truth(domain)``.

Trap hosts (fixed names, served by the same server):

- ``slow.trap.test``      answers after ``slow_seconds`` (SampleWeb option, default 8 s)
- ``hang.trap.test``      reads the request and never answers (until the server stops)
- ``loop.trap.test``      redirects forever: /a -> /b -> /a ...
- ``huge.trap.test``      streams 64 MiB of HTML with no Content-Length, then closes
- ``error.trap.test``     500 on every path
- ``ratelimit.trap.test`` 429 with ``Retry-After: 1`` on the first request for each path, then 200
- ``robots503.trap.test`` robots.txt answers 503, other pages 200

Usage::

    with SampleWeb(port=0, latency_ms=0, dataset=None) as web:
        httpx.get(web.url_for(web.sites()[0].domain), proxy=web.proxy_url)

CLI: ``python -m sampleweb --port 8765 [--latency-ms 5] [--dataset PATH]``. See sampleweb/README.md.
"""
