"""The five seed documents and the gateway each documents (shared by the docs tests)."""

from __future__ import annotations

SEED_GATEWAYS = {
    "000_657526c9dea7105f.txt": "yibuapi",
    "001_15ff2ff835eba1fa.txt": "apicore",
    "002_c430042acbbaa5ba.txt": "bynewapi",
    "003_1c7f2c8af4a9427a.txt": "n1n",
    "004_6903c48bf570ee66.txt": "winfull",
}
