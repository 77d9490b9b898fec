#!/usr/bin/env python3
"""Static check of a Helm chart where `helm` cannot be installed (it is not packaged in Debian).

Not a renderer. For every template it:
  - checks that {{ if / with / range / define }} blocks are balanced by {{ end }};
  - strips the template directives (lines holding only a directive are dropped, inline ones
    become a placeholder scalar) and parses what is left as YAML: every document must be a
    mapping with apiVersion, kind and metadata.name;
  - checks that every `.Values.a.b` path it reads exists in values.yaml, and that every
    `include "name"` is defined in a *.tpl file.
Chart.yaml must name apiVersion v2, name and version.
Usage: check-chart.py CHART_DIR ; exit status 1 on any problem (each printed).
"""
import pathlib
import re
import sys

import yaml

DIRECTIVE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
COMMENT = re.compile(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", re.S)
OPENERS = ("if ", "with ", "range ", "define ", "block ")


def values_has(values, path):
    node = values
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def check_template(path, text, values, defined, problems):
    text = COMMENT.sub("", text)
    depth = 0
    for m in DIRECTIVE.finditer(text):
        body = m.group(1)
        if body.startswith(OPENERS):
            depth += 1
        elif body == "end":
            depth -= 1
            if depth < 0:
                problems.append(f"{path}: {{{{ end }}}} without an opening block")
                depth = 0
        for ref in re.findall(r"\.Values((?:\.[A-Za-z0-9_]+)+)", body):
            parts = ref.strip(".").split(".")
            if not values_has(values, parts):
                problems.append(f"{path}: .Values.{'.'.join(parts)} is not in values.yaml")
        for name in re.findall(r'include\s+"([^"]+)"', body):
            if name not in defined:
                problems.append(f'{path}: include "{name}" is not defined')
    if depth != 0:
        problems.append(f"{path}: {depth} block(s) not closed by {{{{ end }}}}")
    if path.suffix == ".tpl" or path.name == "NOTES.txt":
        return 0
    lines = []
    for line in text.splitlines():
        stripped = DIRECTIVE.sub("", line).strip()
        if not stripped and "{{" in line:
            continue  # a line holding only directives
        lines.append(DIRECTIVE.sub("x", line))
    docs = 0
    try:
        for doc in yaml.safe_load_all("\n".join(lines)):
            if doc is None:
                continue
            docs += 1
            if not isinstance(doc, dict):
                problems.append(f"{path}: a document is not a mapping")
                continue
            for key in ("apiVersion", "kind"):
                if key not in doc:
                    problems.append(f"{path}: {key} missing")
            if not isinstance(doc.get("metadata"), dict) or "name" not in doc["metadata"]:
                problems.append(f"{path}: metadata.name missing")
    except yaml.YAMLError as e:
        problems.append(f"{path}: not YAML once directives are stripped: {e}")
    return docs


def main():
    chart = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    problems = []
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    for key in ("apiVersion", "name", "version"):
        if not meta or key not in meta:
            problems.append(f"Chart.yaml: {key} missing")
    if meta and meta.get("apiVersion") != "v2":
        problems.append("Chart.yaml: apiVersion must be v2")
    values = yaml.safe_load((chart / "values.yaml").read_text()) or {}
    templates = sorted((chart / "templates").iterdir())
    defined = set()
    for t in templates:
        if t.suffix == ".tpl":
            defined.update(re.findall(r'define\s+"([^"]+)"', t.read_text()))
    docs = 0
    for t in templates:
        docs += check_template(t, t.read_text(), values, defined, problems)
    for p in problems:
        print(f"check-chart: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"check-chart: {chart}: {len(templates)} templates, {docs} manifests, "
          f"{len(defined)} helpers: ok (directives stripped, not rendered)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
