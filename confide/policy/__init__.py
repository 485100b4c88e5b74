"""Confide's policy engine: policy packs that make a confidentiality policy executable.

Pure Python, with no Django import anywhere in this package. The rest of Confide asks it four
questions (disclose, access, subject_access, retain) through `load_pack(name).decide(request)`.
"""

from .compiler import Pack
from .errors import PackError, PolicyError, RequestError
from .loader import compile_text, load_pack, pack_names
from .schema import Role, Service
from .wording import Finding, check_wording

__all__ = [
    "Finding", "Pack", "PackError", "PolicyError", "RequestError", "Role", "Service", "check_wording",
    "compile_text", "load_pack", "pack_names",
]
