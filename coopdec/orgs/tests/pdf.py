"""The text of the PDF files the portal writes (fpdf2), for tests that look for words in them."""

import re
import zlib

# A stream's dictionary (fpdf2 writes no nested dictionary there) and the start of its data.
STREAM = re.compile(rb"<<((?:(?!>>).)*)>>\s*stream\r?\n", re.DOTALL)
LENGTH = re.compile(rb"/Length (\d+)")


def pdf_streams(content: bytes) -> list[bytes]:
    """The decompressed data of every zlib stream, each read by its /Length: searching for ``endstream``
    instead cuts a stream whose data ends with a carriage return (about one in 256)."""
    streams = []
    for match in STREAM.finditer(content):
        length = LENGTH.search(match.group(1))
        data = content[match.end() : match.end() + int(length.group(1))] if length else b""
        if data[:1] == b"x":
            streams.append(zlib.decompress(data))
    return streams
