#!/usr/bin/env python3
"""Adds an `example` to every JSON request body and success response of
internal/api/openapi.yaml that lacks one, generated from its schema
(enum first value, formats, property names), then reviewed by hand.
Lines are inserted, never rewritten, so the document keeps its layout.
Run from the repository root: python3 scripts/openapi_examples.py"""
import json, re, sys, yaml

PATH = "internal/api/openapi.yaml"
text = open(PATH).read()
doc = yaml.safe_load(text)
comps = doc["components"]["schemas"]

NAMED = {"email": "billing@example.com", "url": "https://hooks.example.com/dolibarr", "ref": "FA2612-0001",
         "name": "ACME SARL", "login": "jdoe", "password": "correct horse battery", "country_code": "FR",
         "currency": "EUR", "language": "en", "town": "Lyon", "zip": "69001", "phone": "+33 4 72 00 00 00",
         "label": "Widget", "description": "Blue widget, 40 cm", "vat_rate": "20", "quantity": "2",
         "unit_price": "10.00", "price": "10.00", "amount": "24.00", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
         "method": "VIR", "bic": "BNPAFRPP", "iban": "FR7630006000011234567890189", "issuer": "ACME SARL", "issuer_bank": "BNP Paribas", "status": None, "version": 1, "id": 42, "token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
         "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "next_cursor": None, "event_id": "msg_2b30c2a257cde10ff84404339619bf06"}

def resolve(s):
    while isinstance(s, dict) and "$ref" in s:
        s = comps[s["$ref"].split("/")[-1]]
    return s

def example(s, name="", depth=0):
    s = resolve(s)
    if depth > 14 or not isinstance(s, dict):
        return None
    if "example" in s:
        return s["example"]
    if "allOf" in s:
        # The first part only: the patch schemas add `version` to an input
        # that forbids other properties, so a merged example would not
        # validate; the edit's version then goes in If-Match.
        parts = [resolve(x) for x in s["allOf"]]
        if any(isinstance(x, dict) and x.get("additionalProperties") is False for x in parts):
            return example(s["allOf"][0], name, depth + 1)
        out = None
        for part in s["allOf"]:
            v = example(part, name, depth + 1)
            if isinstance(v, dict) and isinstance(out, dict):
                out.update(v)
            elif out is None:
                out = v
        return out
    for k in ("oneOf", "anyOf"):
        if k in s:
            return example(s[k][0], name, depth + 1)
    if "enum" in s:
        return s["enum"][0]
    t = s.get("type")
    if t == "object" or "properties" in s:
        out = {}
        for k, v in (s.get("properties") or {}).items():
            out[k] = example(v, k, depth + 1)
            if out[k] is None and not resolve(v).get("nullable"):
                del out[k]
        return out
    if t == "array":
        v = example(s.get("items", {}), name.rstrip("s"), depth + 1)
        return [] if v is None else [v]
    if t == "integer":
        if name.endswith("_id") or name == "id":
            return 42
        return s.get("minimum", 1) if name not in NAMED else NAMED[name]
    if t == "number":
        return 1.5
    if t == "boolean":
        return True
    if t == "string":
        f = s.get("format")
        if f == "date-time":
            return "2026-12-08T09:30:00Z"
        if f == "date":
            return "2026-12-08"
        if f in ("uri", "url"):
            return NAMED["url"]
        if f == "binary":
            return None
        if name in NAMED and NAMED[name] is not None:
            return NAMED[name]
        if "pattern" in s:
            for c in ["invoice:read", "2026-12", "2026-12-08", "12.50", "20", "FR", "EUR", "en", "PR{yy}{mm}-{0000}", "abc", "A1"]:
                if re.search(s["pattern"], c):
                    return c
        if name.endswith("_at"):
            return "2026-12-08T09:30:00Z"
        return "string" if not name else name.replace("_", " ")
    return None

def dumps(v):
    return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))

lines = text.split("\n")
# Index every operation's line range.
ops = []
path = method = None
for i, l in enumerate(lines):
    m = re.match(r"^  (/\S+):\s*$", l)
    if m:
        path = m.group(1); continue
    m = re.match(r"^    (get|post|put|patch|delete):\s*$", l)
    if m and path:
        ops.append([path, m.group(1), i, None])
    if re.match(r"^\S", l) and l.startswith("components:"):
        break
for k in range(len(ops)):
    nxt = ops[k + 1][2] if k + 1 < len(ops) else None
    ops[k][3] = nxt
# the end of the last op: the next 2- or 4-space key after it
inserts = []  # (line index, text)
for p, meth, start, end in ops:
    end = end or next(i for i in range(start + 1, len(lines)) if re.match(r"^(  /|\S)", lines[i]))
    # Truncate at a following path key.
    for i in range(start + 1, end):
        if re.match(r"^  /", lines[i]) or re.match(r"^    (get|post|put|patch|delete|parameters):", lines[i]):
            end = i; break
    op = doc["paths"][p][meth]
    block = lines[start:end]
    def find_schema_line(after_pat):
        """Line index of the `schema` under the first application/json after after_pat."""
        seen = False
        for i in range(start, end):
            if re.match(after_pat, lines[i]):
                seen = True
            if seen and re.match(r"^\s+application/json:\s*$", lines[i]):
                for j in range(i + 1, min(i + 3, end)):
                    if re.match(r"^\s+schema:", lines[j]):
                        return j
                return None
            if seen and re.match(r"^\s+application/json:\s*\{", lines[i]):
                return None
        return None
    def has_example(content):
        c = (content or {}).get("application/json") or {}
        return "example" in c or "examples" in c
    rb = op.get("requestBody")
    if rb and "content" in rb and "application/json" in rb["content"] and not has_example(rb["content"]):
        j = find_schema_line(r"^\s+requestBody:")
        if j is not None:
            ex = example(rb["content"]["application/json"]["schema"])
            indent = re.match(r"^(\s*)", lines[j]).group(1)
            inserts.append((j, indent + "example: " + dumps(ex)))
    for code, r in op.get("responses", {}).items():
        if not str(code).startswith("2"):
            continue
        if "$ref" in r or "content" not in r:
            break
        if "application/json" in r["content"] and not has_example(r["content"]):
            j = find_schema_line(r'^\s+"' + str(code) + r'":')
            if j is not None:
                ex = example(r["content"]["application/json"]["schema"])
                indent = re.match(r"^(\s*)", lines[j]).group(1)
                inserts.append((j, indent + "example: " + dumps(ex)))
        break
for j, t in sorted(inserts, reverse=True):
    lines.insert(j, t)
open(PATH, "w").write("\n".join(lines))
print(f"{len(inserts)} examples added", file=sys.stderr)
