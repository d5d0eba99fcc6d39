"""Parser for WhatsApp "Export chat" files (.txt, or .zip with media), streaming."""
from eazybe_tasks.sources.exports.entry import DateOrder, ExportEntry
from eazybe_tasks.sources.exports.parser import parse_export

__all__ = ["DateOrder", "ExportEntry", "parse_export"]
