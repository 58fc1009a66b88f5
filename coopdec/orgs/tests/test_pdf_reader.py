"""The tests' PDF reader reads every stream whole, whatever its last byte (a CI run once failed on a
stream ending with a carriage return, which a search for ``\\r?\\nendstream`` cut off)."""

import re
import zlib

from fpdf import FPDF

from .pdf import pdf_streams


def test_a_stream_ending_with_a_carriage_return_is_read_whole():
    for number in range(5000):
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica")
        pdf.cell(text=f"Sentinelle {number}")
        content = bytes(pdf.output())
        raw = re.search(rb"stream\n(.*?)\nendstream", content, re.DOTALL).group(1)
        if raw.endswith(b"\r"):
            break
    else:
        raise AssertionError("no page stream ending with a carriage return in 5,000 tries")
    assert f"Sentinelle {number}".encode() in b"".join(pdf_streams(content))
    assert zlib.decompress(raw)  # the data is whole when read up to the "\nendstream" fpdf2 writes
