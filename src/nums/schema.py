"""The JSON Schema of the submission file, for editors to validate and
autocomplete it. Pydantic gives the structure; the edition adds the ids and
levels that are valid in it."""

from __future__ import annotations

from typing import Any

from nums.standard import Edition
from nums.submission import SubmissionFile


def submission_schema(edition: Edition) -> dict[str, Any]:
    schema = SubmissionFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"nums submission ({edition.id})"
    schema["description"] = f"A self-assessment against the {edition.title} ({edition.id})."
    props = schema["properties"]
    level_enum = {"enum": list(edition.levels)}
    props["criteria"]["propertyNames"] = {"enum": [item.id for item in edition.items]}
    props["self_rating"]["propertyNames"] = {"enum": list(edition.pillar_ids)}
    props["self_rating"]["additionalProperties"] = {"anyOf": [level_enum, {"type": "null"}]}
    defs = schema.get("$defs", {})
    if "Application" in defs:
        defs["Application"]["properties"]["level"] = level_enum
    if "Award" in defs:
        defs["Award"]["properties"]["level"] = level_enum
    return schema
