"""SOQL for the local org: parse, validate against the schema, compile to SQLite, shape records."""
from .compiler import CompiledQuery, compile_query
from .errors import SoqlError
from .field_paths import FieldPath
from .parser import parse
from .records import shape_record
from .schema import FieldInfo, ObjectInfo, SchemaLookup

__all__ = [
    "CompiledQuery",
    "FieldInfo",
    "FieldPath",
    "ObjectInfo",
    "SchemaLookup",
    "SoqlError",
    "compile_query",
    "parse",
    "shape_record",
]
