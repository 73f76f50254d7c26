#!/usr/bin/env python3
"""Cuts from a KServe CRD the part of its OpenAPI schema that Gantry's manifests use.

usage: excerpt.py CRD.yaml VERSION SOURCE MANIFEST.yaml... > excerpt.json

For every field the manifests set, the excerpt keeps that field's schema node (type, format,
enum, required, x-kubernetes-* markers) and, below it, only the fields the manifests set; the
siblings a manifest does not use are left out (every required field stays required). KServeSchemaTest then validates the manifests
against the excerpt: a field that the CRD does not define, or a value of the wrong type, fails
there; a field added to a manifest later fails until the excerpt is cut again from the CRD.
"""
import json
import sys

import yaml

KEEP = ("type", "format", "enum", "required", "pattern", "x-kubernetes-int-or-string",
        "x-kubernetes-preserve-unknown-fields")


def cut(schema, values):
    node = {key: schema[key] for key in KEEP if key in schema}
    if schema.get("type") == "object" and "properties" in schema:
        node["properties"] = {}
        for name in sorted({name for value in values for name in value}):
            if name not in schema["properties"]:
                sys.exit(f"the CRD defines no field {name!r}")
            node["properties"][name] = cut(
                schema["properties"][name], [value[name] for value in values if name in value])
    elif schema.get("type") == "object" and "additionalProperties" in schema:
        inner = [item for value in values for item in value.values()]
        node["additionalProperties"] = cut(schema["additionalProperties"], inner)
    elif schema.get("type") == "array":
        node["items"] = cut(schema["items"], [item for value in values for item in value])
    return node


def main(crd_path, version, source, *manifests):
    crd = yaml.safe_load(open(crd_path))
    served = next(v for v in crd["spec"]["versions"] if v["name"] == version)
    documents = [yaml.safe_load(open(path)) for path in manifests]
    kind = crd["spec"]["names"]["kind"]
    documents = [d for d in documents if d["kind"] == kind]
    body = [{k: v for k, v in d.items() if k not in ("apiVersion", "kind", "metadata")}
            for d in documents]
    excerpt = {
        "source": source,
        "group": crd["spec"]["group"],
        "version": version,
        "kind": kind,
        "schema": cut(served["schema"]["openAPIV3Schema"], body),
    }
    json.dump(excerpt, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main(*sys.argv[1:])
