"""Training workbook for crypto-exchange support agents in Southeast Asia."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("triagelab")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

__all__ = ["__version__"]
