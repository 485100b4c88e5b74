"""Reports: anonymised statistics for trustees and funders, with small-number suppression (see sdc.py)."""
