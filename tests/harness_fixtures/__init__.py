"""Fixtures the shared harness tests (IDOR, one gate, form fuzz, sealed columns) share for the
governance pages: breaches, complaints, staff records, declarations and reports."""
