"""The answers' TypedDicts (models.py) against the schemas of the running API's description: the
same keys, the same required ones. A changed answer fails here, naming the model and the keys."""

import re
import unittest
from typing import Any, Mapping

from vle_tasks_client.models import MODEL_SCHEMAS

from .stack import client, requires_stack


# The answers of the health probes, which the client omits on purpose (routes.OMITTED).
OMITTED_SCHEMAS = frozenset({"ReadinessReport", "CheckResult"})


def schema_at(schemas: Mapping[str, Any], place: str) -> Mapping[str, Any]:
    """``Name.key[]|0``: the schema Name, its property key, the items, the first of an anyOf."""
    steps = re.findall(r"^\w+|\.\w+|\[\]|\|\d+", place)
    if "".join(steps) != place:
        raise ValueError(f"not a place of a schema: {place}")
    schema: Mapping[str, Any] = schemas[steps[0]]
    for step in steps[1:]:
        schema = schema["properties"][step[1:]] if step[0] == "." else schema["items"] if step == "[]" else schema["anyOf"][int(step[1:])]
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


@requires_stack
class TheModels(unittest.TestCase):
    def test_have_the_keys_of_the_schemas(self) -> None:
        description = client().get_api_description()
        self.assertEqual(description["openapi"], "3.1.0")
        schemas = description["components"]["schemas"]
        differences = []
        for name, (model, place) in MODEL_SCHEMAS.items():
            try:
                schema = schema_at(schemas, place)
            except (KeyError, IndexError):
                differences.append(f"{name}: the description has no {place}")
                continue
            properties, required = set(schema.get("properties", {})), set(schema.get("required", []))
            keys, model_required = set(model.__required_keys__) | set(model.__optional_keys__), set(model.__required_keys__)
            if keys != properties:
                differences.append(f"{name} ({place}): only in the model {sorted(keys - properties)}, only in the API {sorted(properties - keys)}")
            elif model_required != required:
                differences.append(f"{name} ({place}): required in the model only {sorted(model_required - required)}, in the API only {sorted(required - model_required)}")
        self.assertEqual(differences, [], "\n".join(differences))

    def test_cover_every_answer_schema_of_an_object(self) -> None:
        schemas = client().get_api_description()["components"]["schemas"]
        places = {re.match(r"\w+", place).group() for _, place in MODEL_SCHEMAS.values()}  # type: ignore[union-attr]
        objects = {name for name, s in schemas.items() if s.get("type") == "object" and "properties" in s}
        self.assertEqual(sorted(objects - places - OMITTED_SCHEMAS), [], "answers without a model in models.py")


if __name__ == "__main__":
    unittest.main()
