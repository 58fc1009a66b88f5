"""A small JSON Schema checker for the subset the OpenAPI document uses (type, properties, required,
additionalProperties, items, enum, anyOf, allOf, $ref, minItems), so the tests need no extra package."""

TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def is_type(value, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def errors(value, schema: dict, document: dict, path: str = "$") -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return errors(value, document["components"]["schemas"][name], document, path)
    found = []
    if "anyOf" in schema:
        if all(errors(value, option, document, path) for option in schema["anyOf"]):
            found.append(f"{path}: matches none of anyOf")
    for part in schema.get("allOf", ()):
        found += errors(value, part, document, path)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(is_type(value, name) for name in names):
            return [*found, f"{path}: {value!r} is not of type {names}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        found += [f"{path}: missing {key}" for key in schema.get("required", ()) if key not in value]
        if schema.get("additionalProperties") is False:
            found += [f"{path}: unexpected {key}" for key in value if key not in properties]
        for key, item in value.items():
            if key in properties:
                found += errors(item, properties[key], document, f"{path}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(f"{path}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for index, item in enumerate(value):
                found += errors(item, schema["items"], document, f"{path}[{index}]")
    return found


def validate(value, schema: dict, document: dict) -> None:
    problems = errors(value, schema, document)
    assert not problems, "\n".join(problems[:20])
