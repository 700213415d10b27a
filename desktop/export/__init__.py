"""Static export: pages plus the runtime they use, for any static web host (see site.py)."""

from .listing import manifest_text, s3_metadata
from .site import ExportedFile, ExportResult, export_site

__all__ = ["ExportedFile", "ExportResult", "export_site", "manifest_text", "s3_metadata"]
