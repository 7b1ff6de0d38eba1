#!/usr/bin/python3
"""check-manifests.py FILE...: check Kubernetes manifests offline.

kubectl cannot validate without a cluster (even --dry-run=client asks the
API server for its schema), so this checks each document against the API
types of the Kubernetes Python client (Debian: python3-kubernetes), which
are generated from the Kubernetes OpenAPI schema: every key must be a
field of its type, every value of the field's JSON type, and required
fields present. Then the rules the API server would apply first: names are
DNS-1123, ConfigMap keys are valid and binaryData is base64, a DaemonSet's
selector matches its pod labels, and every volumeMount names a volume.
Prints one line per problem (FILE: doc N: path: problem); exit 1 if any.
"""
import base64
import binascii
import re
import sys

import yaml
from kubernetes import client

DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
CONFIGMAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def model_class(api_version, kind):
    """apps/v1 + DaemonSet -> client.V1DaemonSet"""
    version = api_version.split("/")[-1]
    return getattr(client, version[0].upper() + version[1:] + kind, None)


def required_fields(cls):
    """Fields whose setter refuses None (the client's own validation)."""
    out = []
    for attr in cls.openapi_types:
        obj = cls.__new__(cls)
        obj.local_vars_configuration = client.Configuration()
        obj.local_vars_configuration.client_side_validation = True
        try:
            setattr(obj, attr, None)
        except ValueError:
            out.append(cls.attribute_map[attr])
    return out


def check_value(value, typ, path, errs):
    if value is None:
        return
    m = re.fullmatch(r"list\[(.*)\]", typ)
    if m:
        if not isinstance(value, list):
            errs.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        for i, v in enumerate(value):
            check_value(v, m.group(1), f"{path}[{i}]", errs)
        return
    m = re.fullmatch(r"dict\(str, (.*)\)", typ)
    if m:
        if not isinstance(value, dict):
            errs.append(f"{path}: expected a map, got {type(value).__name__}")
            return
        for k, v in value.items():
            if not isinstance(k, str):
                errs.append(f"{path}: key {k!r} is not a string")
            check_value(v, m.group(1), f"{path}.{k}", errs)
        return
    simple = {
        "str": (str,),
        "int": (int,),
        "float": (int, float),
        "bool": (bool,),
        "datetime": (str,),
        "date": (str,),
    }
    if typ in simple:
        ok = isinstance(value, simple[typ]) and not (typ in ("int", "float") and isinstance(value, bool))
        if not ok:
            errs.append(f"{path}: expected {typ}, got {type(value).__name__} {value!r}")
        return
    if typ == "object":  # IntOrString, RawExtension, ...
        return
    cls = getattr(client, typ, None)
    if cls is None:
        errs.append(f"{path}: no type {typ} in the client")
        return
    check_object(value, cls, path, errs)


def check_object(value, cls, path, errs):
    if not isinstance(value, dict):
        errs.append(f"{path}: expected an object ({cls.__name__}), got {type(value).__name__}")
        return
    by_json = {j: a for a, j in cls.attribute_map.items()}
    for key, v in value.items():
        if key not in by_json:
            errs.append(f"{path}: unknown field {key!r} in {cls.__name__}")
            continue
        check_value(v, cls.openapi_types[by_json[key]], f"{path}.{key}", errs)
    for key in required_fields(cls):
        if key not in value and key not in ("apiVersion", "kind"):
            errs.append(f"{path}: missing required field {key!r} of {cls.__name__}")


def semantic_checks(doc, errs):
    kind = doc.get("kind")
    meta = doc.get("metadata") or {}
    name = meta.get("name")
    if not isinstance(name, str) or not DNS1123.match(name) or len(name) > 253:
        errs.append(f"metadata.name: {name!r} is not a DNS-1123 name")
    if kind == "ConfigMap":
        keys = list((doc.get("data") or {}).keys()) + list((doc.get("binaryData") or {}).keys())
        for k in keys:
            if not CONFIGMAP_KEY.match(k):
                errs.append(f"ConfigMap key {k!r} is not valid")
        if len(keys) != len(set(keys)):
            errs.append("ConfigMap: a key is both in data and binaryData")
        for k, v in (doc.get("binaryData") or {}).items():
            try:
                base64.b64decode(v, validate=True)
            except (binascii.Error, TypeError):
                errs.append(f"binaryData.{k}: not base64")
    if kind == "DaemonSet":
        spec = doc.get("spec") or {}
        want = ((spec.get("selector") or {}).get("matchLabels")) or {}
        have = (((spec.get("template") or {}).get("metadata") or {}).get("labels")) or {}
        for k, v in want.items():
            if have.get(k) != v:
                errs.append(f"spec.selector.matchLabels.{k}: the pod template's labels do not match")
        pod = (spec.get("template") or {}).get("spec") or {}
        volumes = {v.get("name") for v in pod.get("volumes") or []}
        for c in (pod.get("containers") or []) + (pod.get("initContainers") or []):
            for vm in c.get("volumeMounts") or []:
                if vm.get("name") not in volumes:
                    errs.append(f"container {c.get('name')}: volumeMount {vm.get('name')!r} names no volume")


def main(files):
    bad = 0
    for f in files:
        with open(f) as fh:
            docs = [d for d in yaml.safe_load_all(fh) if d is not None]
        if not docs:
            print(f"{f}: no document")
            bad += 1
        for n, doc in enumerate(docs, 1):
            errs = []
            cls = model_class(str(doc.get("apiVersion", "")), str(doc.get("kind", "")))
            if cls is None:
                errs.append(f"unknown apiVersion/kind {doc.get('apiVersion')}/{doc.get('kind')}")
            else:
                check_object(doc, cls, doc.get("kind"), errs)
                semantic_checks(doc, errs)
            for e in errs:
                print(f"{f}: doc {n}: {e}")
            bad += len(errs)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: check-manifests.py FILE...")
    sys.exit(main(sys.argv[1:]))
