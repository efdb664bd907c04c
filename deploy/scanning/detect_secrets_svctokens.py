"""detect-secrets plugin: finds svctokens Service Tokens (svct_…).

Use it with Yelp's detect-secrets (1.x):

    detect-secrets scan --plugin path/to/deploy/scanning/detect_secrets_svctokens.py > .secrets.baseline
    detect-secrets-hook --plugin path/to/deploy/scanning/detect_secrets_svctokens.py \\
        --baseline .secrets.baseline FILE...

It matches the token's shape (`svct_` and 49 base62 characters, not followed by another letter
or digit) and then, unlike a regular expression alone, recomputes the checksum
(docs/token-format.md): a mistyped, truncated or made-up value is not reported, every real
token is. Standard library only; written from docs/token-format.md, not from the TypeScript.
"""

import re
import zlib
from typing import Generator

from detect_secrets.plugins.base import RegexBasedDetector

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_PREFIX = "svct_"
_BODY_DIGITS = 43
_CHECKED = len(_PREFIX) + _BODY_DIGITS


def _base62(number: int, width: int) -> str:
    digits = ""
    while number:
        number, remainder = divmod(number, 62)
        digits = _ALPHABET[remainder] + digits
    return digits.rjust(width, "0")


def is_well_formed(value: str) -> bool:
    """The exact shape, a body of at most 256 bits, and the CRC-32 (zlib) checksum."""
    if not re.fullmatch(r"svct_[0-9A-Za-z]{49}", value):
        return False
    body = 0
    for character in value[len(_PREFIX) : _CHECKED]:
        body = body * 62 + _ALPHABET.index(character)
    checksum = _base62(zlib.crc32(value[:_CHECKED].encode("utf-8")), 6)
    return body < 2**256 and checksum == value[_CHECKED:]


class SvctokensTokenDetector(RegexBasedDetector):
    """Scans for svctokens Service Tokens whose checksum matches."""

    secret_type = "svctokens Service Token"

    denylist = [re.compile(r"(svct_[0-9A-Za-z]{49})(?![0-9A-Za-z])")]

    def analyze_string(self, string: str) -> Generator[str, None, None]:
        for candidate in super().analyze_string(string):
            if is_well_formed(candidate):
                yield candidate
