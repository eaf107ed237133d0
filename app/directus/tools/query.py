"""The Directus query shared by items, files, folders, flows and operations.

One model validates it (lenient where models slip: `fields: "id,title"`, `sort: "-views"`, `filter` as JSON
text) and turns it into GET parameters (`to_params`, objects as JSON text, which Directus parses) or into the
`query` of a write body (`to_body`). We never use the SEARCH method: it is not in Directus's default
CORS_METHODS, so it would fail from a browser.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional, Union

from pydantic import Field, WithJsonSchema, field_validator

from app.directus.tools.arguments import ArgsModel, as_list

AGGREGATES = ("count", "countDistinct", "countAll", "sum", "sumDistinct", "avg", "avgDistinct", "min", "max")

QUERY_SCHEMA = {
    "type": "object",
    "description": "only needed fields; filter, sort, limit, offset, aggregate, groupBy, deep",
}


class Query(ArgsModel):
    fields: Optional[list[str]] = None
    filter: Optional[dict[str, Any]] = None
    sort: Optional[list[str]] = None
    limit: Optional[int] = Field(None, ge=-1)
    offset: Optional[int] = Field(None, ge=0)
    page: Optional[int] = Field(None, ge=1)
    search: Optional[str] = None
    aggregate: Optional[dict[str, list[str]]] = None
    groupBy: Optional[list[str]] = None
    deep: Optional[dict[str, Any]] = None
    alias: Optional[dict[str, str]] = None
    meta: Optional[str] = None
    backlink: Optional[bool] = None

    @field_validator("fields", "sort", "groupBy", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return as_list(value, split_commas=True)

    @field_validator("meta", mode="before")
    @classmethod
    def _meta(cls, value: Any) -> Any:
        return ",".join(str(v) for v in value) if isinstance(value, list) else value

    @field_validator("aggregate", mode="before")
    @classmethod
    def _aggregate(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for name, target in value.items():
            if name not in AGGREGATES:
                raise ValueError(f"unknown aggregate {name!r}; use one of {', '.join(AGGREGATES)}")
            out[name] = as_list(target, split_commas=True)
        return out

    @property
    def writes_all(self) -> bool:
        return not self.filter and not self.search

    def to_params(self) -> dict:
        return self.model_dump(exclude_none=True)

    def to_body(self) -> dict:
        return self.model_dump(exclude_none=True)

    def describe(self) -> dict:
        return self.model_dump(exclude_none=True)


QueryArg = Annotated[Optional[Query], WithJsonSchema(QUERY_SCHEMA)]
# The same query without the list of its parts, for a tool whose description says "query as in items".
SameQueryArg = Annotated[Optional[Query], WithJsonSchema({"type": "object"})]

# Primary keys are strings (uuid, slug) or integers.
KEYS_SCHEMA = {"type": "array", "items": {"type": "string"}}  # integers are accepted too
Key = Union[int, str]
KeysArg = Annotated[Optional[list[Key]], WithJsonSchema(KEYS_SCHEMA)]

# One object, or an array of objects for a batch.
DATA_SCHEMA = {"type": ["object", "array"], "items": {"type": "object"}}
DataArg = Annotated[Optional[Union[dict[str, Any], list[dict[str, Any]]]], WithJsonSchema(DATA_SCHEMA)]
# The same, advertised as one object (fewer schema tokens) where batches are rare; arrays still work.
ObjectDataArg = Annotated[Optional[Union[dict[str, Any], list[dict[str, Any]]]], WithJsonSchema({"type": "object"})]


def keys_validator(value: Any) -> Any:
    return as_list(value)
