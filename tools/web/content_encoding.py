"""Bounded decoding of gzip/deflate response bodies: output comes out in small pieces, so the
size cap stops a decompression bomb after a few pieces instead of after it has expanded."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

from core.errors import FetchError

ACCEPT_ENCODING = "gzip, deflate"  # only what we can decode with a bound on the output
PIECE = 64 * 1024  # most decoded bytes produced from one call into zlib
MAX_LAYERS = 2  # "gzip, gzip" is legal; deeper stacks only serve to multiply a bomb

Decode = Callable[[bytes], Iterator[bytes]]


class _ZlibDecoder:
    """gzip (every member) or deflate (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, encoding: str) -> None:
        self.gzip = encoding in ("gzip", "x-gzip")
        self._first = True
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if self.gzip else zlib.MAX_WBITS)

    def __call__(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._z.decompress(data, PIECE)
            except zlib.error:
                if self.gzip or not self._first:
                    raise
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # "deflate" sent without the zlib header
                out = self._z.decompress(data, PIECE)
            self._first = False
            data = self._z.unconsumed_tail
            if self._z.eof:
                # Another gzip member may follow; other trailing bytes are ignored, as httpx does.
                data = self._z.unused_data if self.gzip else b""
                if data.startswith(b"\x1f\x8b"):
                    self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
                else:
                    data = b""
            if out:
                yield out


def _identity(data: bytes) -> Iterator[bytes]:
    if data:
        yield data


def _chain(outer: Decode, inner: Decode) -> Decode:
    def decode(data: bytes) -> Iterator[bytes]:
        for piece in outer(data):
            yield from inner(piece)

    return decode


def body_decoder(content_encoding: str, url: str) -> Decode:
    """A lazy decoder for a ``Content-Encoding`` value; FetchError(kind=bad_encoding) for codings
    we did not ask for (br, zstd, compress) or for too many layers."""
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > MAX_LAYERS:
        raise FetchError(f"{len(codings)} layers of content encoding", kind="bad_encoding", url=url)
    decode: Decode = _identity
    for coding in reversed(codings):  # listed in the order applied, so undone last-first
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(f"content encoding {coding!r} was not asked for", kind="bad_encoding", url=url)
        decode = _chain(decode, _ZlibDecoder(coding))
    return decode
