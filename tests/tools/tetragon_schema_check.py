#!/usr/bin/env python3
"""tetragon_schema_check.py SCHEMA EVENTS [--kinds]

Checks every line of EVENTS (tp-load -o json) against SCHEMA
(tests/schema/tetragon-events.json, our transcription of Tetragon's event
API) as strictly as protojson unmarshalling without DiscardUnknown, and a
little stricter where tp-load's output has one right form:

- the line is UTF-8 and one JSON object; no duplicate keys, no null;
- every field is known to its message (an unknown field is an error);
- int32/uint32 and the wrapper types are JSON integers in range;
  int64/uint64 are strings of decimal digits in range (as protojson writes);
- bytes are standard padded base64; Timestamps are RFC 3339 in UTC;
- enums are one of their names;
- oneofs: at most one member set (exactly one where required);
- a zero, false, empty string, list or map outside a oneof and outside a
  wrapper type is an error: protojson (Tetragon's export) leaves it out.

Prints "EVENTS:LINE: path: problem" for each problem and exits 1 if any.
With --kinds, prints what the run covered (event types, argument kinds,
extra fields seen) one per line, for tests that want a mixed run.
"""
import base64
import binascii
import json
import re
import sys

TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
DEC = re.compile(r"^-?(0|[1-9][0-9]*)$")
RANGES = {
    "int32": (-(1 << 31), (1 << 31) - 1),
    "uint32": (0, (1 << 32) - 1),
    "Int32Value": (-(1 << 31), (1 << 31) - 1),
    "UInt32Value": (0, (1 << 32) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "uint64": (0, (1 << 64) - 1),
}


class Dup(Exception):
    pass


def no_dups(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise Dup(k)
        d[k] = v
    return d


class Checker:
    def __init__(self, schema):
        self.msgs = schema["messages"]
        self.enums = schema["enums"]
        self.errors = []
        self.kinds = set()
        self.where = ""

    def err(self, path, what):
        self.errors.append("%s: %s: %s" % (self.where, path or ".", what))

    def string(self, path, v):
        if not isinstance(v, str):
            return self.err(path, "not a string: %r" % (v,))
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            self.err(path, "not valid UTF-8 (a lone surrogate)")

    def scalar(self, path, t, v):
        if t == "string":
            return self.string(path, v)
        if t in ("bool", "BoolValue"):
            if not isinstance(v, bool):
                self.err(path, "not a bool: %r" % (v,))
            return
        if t in ("int32", "uint32", "Int32Value", "UInt32Value"):
            if isinstance(v, bool) or not isinstance(v, int):
                return self.err(path, "%s must be a JSON integer: %r" % (t, v))
            lo, hi = RANGES[t]
            if not lo <= v <= hi:
                self.err(path, "%s out of range: %d" % (t, v))
            return
        if t in ("int64", "uint64"):
            if not isinstance(v, str) or not DEC.match(v):
                return self.err(path, "%s must be a string of decimal digits: %r" % (t, v))
            lo, hi = RANGES[t]
            if not lo <= int(v) <= hi:
                self.err(path, "%s out of range: %s" % (t, v))
            return
        if t == "bytes":
            if not isinstance(v, str):
                return self.err(path, "bytes must be a base64 string: %r" % (v,))
            try:
                base64.b64decode(v, validate=True)
            except (binascii.Error, ValueError):
                self.err(path, "bad base64: %r" % (v,))
            return
        if t == "Timestamp":
            if not isinstance(v, str) or not TS.match(v):
                self.err(path, "not an RFC 3339 UTC timestamp: %r" % (v,))
            return
        if t == "map":
            if not isinstance(v, dict):
                return self.err(path, "map must be an object: %r" % (v,))
            for k, x in v.items():
                self.string(path + "." + k, x)
            return
        if t.startswith("enum:"):
            names = self.enums[t[5:]]
            if not isinstance(v, str) or v not in names:
                self.err(path, "not a %s name: %r" % (t[5:], v))
            return
        if t in self.msgs:
            return self.message(path, t, v)
        raise SystemExit("schema: unknown type %s" % t)

    def is_zero(self, t, v):
        """v is t's default, which protojson does not write (wrappers and
        messages are present when set, whatever they hold)"""
        if t.startswith("[]") or t == "map":
            return v == [] or v == {}
        if t in ("string", "bytes"):
            return v == ""
        if t == "bool":
            return v is False
        if t in ("int32", "uint32"):
            return v == 0 and not isinstance(v, bool)
        if t in ("int64", "uint64"):
            return v == "0"
        if t.startswith("enum:"):
            return v == self.enums[t[5:]][0]
        return False

    def message(self, path, name, obj):
        if not isinstance(obj, dict):
            return self.err(path, "%s must be an object: %r" % (name, obj))
        m = self.msgs[name]
        fields = m["fields"]
        for k, v in obj.items():
            p = path + "." + k
            if k not in fields:
                self.err(p, "unknown field of %s" % name)
                self.kinds.add("unknown %s.%s" % (name, k))
                continue
            if v is None:
                self.err(p, "null")
                continue
            t = fields[k]
            in_oneof = any(k in g for g in m.get("oneof", []) + m.get("required_oneof", []))
            if not in_oneof and self.is_zero(t, v):
                self.err(p, "a zero value protojson leaves out: %r" % (v,))
                continue
            if t.startswith("[]"):
                if not isinstance(v, list):
                    self.err(p, "repeated field must be an array: %r" % (v,))
                    continue
                for i, x in enumerate(v):
                    self.scalar("%s[%d]" % (p, i), t[2:], x)
            else:
                self.scalar(p, t, v)
        for group in m.get("oneof", []) + m.get("required_oneof", []):
            set_ = [k for k in group if k in obj]
            if len(set_) > 1:
                self.err(path, "%s: more than one of a oneof: %s" % (name, ", ".join(set_)))
        for group in m.get("required_oneof", []):
            set_ = [k for k in group if k in obj]
            if not set_:
                self.err(path, "%s: none of %s" % (name, "/".join(group[:4]) + "/..."))
            elif name == "KprobeArgument":
                self.kinds.add("arg " + set_[0])
            elif name == "GetEventsResponse":
                self.kinds.add("event " + set_[0])


def main():
    args = [a for a in sys.argv[1:] if a != "--kinds"]
    if len(args) != 2:
        raise SystemExit(__doc__)
    with open(args[0]) as f:
        c = Checker(json.load(f))
    n = 0
    with open(args[1], "rb") as f:
        for lineno, raw in enumerate(f, 1):
            n += 1
            c.where = "%s:%d" % (args[1], lineno)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                c.err("", "not UTF-8: %s" % e)
                continue
            try:
                obj = json.loads(text, object_pairs_hook=no_dups,
                                 parse_constant=lambda x: (_ for _ in ()).throw(ValueError(x)))
            except Dup as e:
                c.err("", "duplicate key %s" % e)
                continue
            except ValueError as e:
                c.err("", "not JSON: %s" % e)
                continue
            c.message("", "GetEventsResponse", obj)
    for e in c.errors:
        print(e)
    if "--kinds" in sys.argv:
        for k in sorted(c.kinds):
            print(k)
    if n == 0:
        print("%s: no events" % args[1])
        return 1
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main())
