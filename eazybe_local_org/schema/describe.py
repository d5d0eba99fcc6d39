"""Salesforce's describe JSON for the local org's objects.

Every key a real describe carries is present with the same JSON type, because clients (CumulusCI's
data loader, simple-salesforce users) index into describes without checking. Values the local org
has no notion of (layouts, masks, formulas) take the value a plain org reports.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from eazybe_local_org.schema.model import ChildRelationship, FieldDef, ObjectDef, TEXT_TYPES

MASTER_RECORD_TYPE_ID = "012000000000000AAA"  # the id every org reports for the Master record type

_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "time": "xsd:time",
    "base64": "xsd:base64Binary",
    "address": "urn:address",
}


def describe_sobject(
    obj: ObjectDef,
    api_version: str,
    children: Sequence[ChildRelationship] = (),
    instance_url: str | None = None,
) -> dict[str, Any]:
    """GET /sobjects/{name}/describe. `instance_url` adds the ui* links Salesforce includes."""
    version = _version(api_version)
    urls = _urls(obj.name, version)
    if instance_url:
        base = instance_url.rstrip("/")
        urls |= {
            "uiDetailTemplate": f"{base}/{{ID}}",
            "uiEditTemplate": f"{base}/{{ID}}/e",
            "uiNewRecord": f"{base}/{obj.key_prefix}/e",
        }
    return {
        **_summary(obj, urls),
        "actionOverrides": [],
        "childRelationships": [_child(child) for child in children],
        "compactLayoutable": obj.queryable,
        "defaultImplementation": None,
        "extendedBy": None,
        "extendsInterfaces": None,
        "fields": [describe_field(f) for f in obj.fields.values()],
        "implementedBy": None,
        "implementsInterfaces": None,
        "listviewable": None,
        "lookupLayoutable": None,
        "namedLayoutInfos": [],
        "networkScopeFieldName": None,
        "recordTypeInfos": [_master_record_type(obj.name, version)],
        "searchLayoutable": obj.searchable,
        "sobjectDescribeOption": "FULL",
        "supportedScopes": [{"label": f"All {obj.label_plural.lower()}", "name": "everything"}],
    }


def describe_global(objects: Iterable[ObjectDef], api_version: str) -> dict[str, Any]:
    """GET /sobjects: one summary per object, sorted by name as Salesforce lists them."""
    version = _version(api_version)
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [_summary(obj, _urls(obj.name, version)) for obj in sorted(objects, key=lambda o: o.name)],
    }


def _summary(obj: ObjectDef, urls: dict[str, str]) -> dict[str, Any]:
    """The object-level keys shared by the global and the per-object describe."""
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": obj.createable,
        "custom": obj.custom,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": obj.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": obj.key_prefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "layoutable": obj.createable,
        "mergeable": False,
        "mruEnabled": obj.searchable,
        "name": obj.name,
        "queryable": obj.queryable,
        "replicateable": obj.queryable,
        "retrieveable": obj.queryable,
        "searchable": obj.searchable,
        "triggerable": obj.triggerable,
        "undeletable": obj.deletable,
        "updateable": obj.updateable,
        "urls": urls,
    }


def describe_field(f: FieldDef) -> dict[str, Any]:
    """One entry of a describe's `fields`, with every key real describes carry."""
    is_text = f.type in TEXT_TYPES or f.type in ("id", "reference")
    return {
        "aggregatable": f.aggregatable,
        "aiPredictionField": False,
        "autoNumber": f.auto_number_format is not None,
        "byteLength": f.length * 3 if f.type in TEXT_TYPES else f.length,
        "calculated": f.calculated,
        "calculatedFormula": None,
        "cascadeDelete": f.delete_constraint == "Cascade",
        "caseSensitive": f.case_sensitive,
        "compoundFieldName": None,
        "controllerName": None,
        "createable": f.createable,
        "custom": f.custom,
        "defaultValue": f.default_value,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.defaulted_on_create,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": f.precision if f.type == "int" else 0,
        "displayLocationInDecimal": False,
        "encrypted": f.type == "encryptedstring",
        "externalId": f.external_id,
        "extraTypeInfo": "plaintextarea" if f.type == "textarea" else None,
        "filterable": f.filterable,
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": f.groupable,
        "highScaleNumber": False,
        "htmlFormatted": False,
        "idLookup": f.id_lookup,
        "inlineHelpText": f.inline_help_text,
        "label": f.label,
        "length": f.length if is_text else 0,
        "mask": None,
        "maskType": None,
        "name": f.name,
        "nameField": f.name_field,
        "namePointing": len(f.reference_to) > 1,
        "nillable": f.nillable,
        "permissionable": f.nillable and (f.createable or f.updateable),
        "picklistValues": [_picklist_value(value, f.default_value) for value in f.picklist_values],
        "polymorphicForeignKey": len(f.reference_to) > 1,
        "precision": 0 if f.type == "int" else f.precision,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "relationshipOrder": None,
        "restrictedDelete": f.delete_constraint == "Restrict",
        "restrictedPicklist": f.restricted_picklist,
        "scale": f.scale,
        "searchPrefilterable": False,
        "soapType": _SOAP_TYPES.get(f.type, "xsd:string"),
        "sortable": f.sortable,
        "type": f.type,
        "unique": f.unique,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }


def _picklist_value(value: str, default: Any) -> dict[str, Any]:
    return {"active": True, "defaultValue": value == default, "label": value, "validFor": None, "value": value}


def _child(child: ChildRelationship) -> dict[str, Any]:
    return {
        "cascadeDelete": child.cascade_delete,
        "childSObject": child.child_object,
        "deprecatedAndHidden": False,
        "field": child.field,
        "junctionIdListNames": [],
        "junctionReferenceTo": [],
        "relationshipName": child.relationship_name,
        "restrictedDelete": child.restricted_delete,
    }


def _master_record_type(name: str, version: str) -> dict[str, Any]:
    """Every object reports the Master record type, even in an org without record types."""
    return {
        "active": True,
        "available": True,
        "defaultRecordTypeMapping": True,
        "developerName": "Master",
        "master": True,
        "name": "Master",
        "recordTypeId": MASTER_RECORD_TYPE_ID,
        "urls": {"layout": f"/services/data/v{version}/sobjects/{name}/describe/layouts/{MASTER_RECORD_TYPE_ID}"},
    }


def _urls(name: str, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{name}"
    return {
        "compactLayouts": f"{base}/describe/compactLayouts",
        "rowTemplate": f"{base}/{{ID}}",
        "approvalLayouts": f"{base}/describe/approvalLayouts",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
        "listviews": f"{base}/listviews",
        "describe": f"{base}/describe",
        "quickActions": f"{base}/quickActions",
        "layouts": f"{base}/describe/layouts",
        "sobject": base,
    }


def _version(api_version: str) -> str:
    """'v59.0', '59.0' and '59' all mean version 59.0."""
    bare = api_version.lstrip("v")
    return bare if "." in bare else f"{bare}.0"
