#!/usr/bin/env python3
"""Seed a Directus instance with the demo content, over REST with the admin's static token.

    python3 scripts/directus_seed.py --url http://127.0.0.1:8055

Creates what is missing and skips what already exists, so it can run twice. `scripts/directus install` runs it
once on a freshly bootstrapped database to build the pristine copy. Standard library only. What it creates
(sized for the Core tier: 5 of 25 collections, 1 of 5 active flows, 2 of 3 seats):

- collections `authors`, `categories`, `articles` and the junction `articles_categories`, with notes;
- `ai_prompts`, the prompts collection of the project's AI settings (`mcp_prompts_collection`): two published
  prompts (one asks for a value) and a draft;
- `articles.author` (m2o, alias `authors.articles`) and `articles.categories` (m2m through the junction);
- 4 authors, 5 categories, 12 articles (published, draft and archived) linked to both;
- an active manual flow "Summarize articles" on articles (item-read, then a script; returns $last);
- a file folder "Demo images" holding one small generated PNG;
- a "Reader" policy (read-only on articles, categories and the junction; nothing on authors), a "Reader" role
  and a reader user with a static token. The admin (and its token) comes from `bootstrap`. Directus 10 has no
  policies: there the "Reader" role itself has app access and holds the read permissions.
"""

import argparse
import json
import struct
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from pathlib import Path

DEMO = json.loads((Path(__file__).resolve().parent / "directus_demo.json").read_text())


class Api:
    def __init__(self, url, token):
        self.url = url.rstrip("/")
        self.token = token

    def request(self, method, path, body=None, content_type="application/json", raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise SystemExit(f"seed: {method} {path} failed with {error.code}: {detail}") from None
        return json.loads(text)["data"] if text else None

    def exists(self, path):
        """False when the route answers 404 (e.g. /policies before Directus 11)."""
        request = urllib.request.Request(self.url + path + "?limit=1", method="GET")
        request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30):
                return True
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return False
            raise SystemExit(f"seed: GET {path} failed with {error.code}") from None

    def get(self, path, **query):
        params = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in query.items()}
        suffix = "?" + urllib.parse.urlencode(params) if params else ""
        return self.request("GET", path + suffix)

    def post(self, path, body):
        return self.request("POST", path, body)

    def patch(self, path, body):
        return self.request("PATCH", path, body)


# --- schema -----------------------------------------------------------------------------------------------------


def int_pk():
    return {
        "field": "id",
        "type": "integer",
        "meta": {"hidden": True, "readonly": True, "interface": "input"},
        "schema": {"is_primary_key": True, "has_auto_increment": True},
    }


def timestamps():
    return [
        {
            "field": "date_created",
            "type": "timestamp",
            "meta": {
                "special": ["date-created"],
                "interface": "datetime",
                "readonly": True,
                "hidden": True,
                "width": "half",
                "display": "datetime",
                "display_options": {"relative": True},
            },
        },
        {
            "field": "date_updated",
            "type": "timestamp",
            "meta": {
                "special": ["date-updated"],
                "interface": "datetime",
                "readonly": True,
                "hidden": True,
                "width": "half",
                "display": "datetime",
                "display_options": {"relative": True},
            },
        },
    ]


COLLECTIONS = [
    {
        "collection": "authors",
        "schema": {},
        "meta": {
            "icon": "person",
            "display_template": "{{name}}",
            "sort": 3,
            "note": "People who write articles. One author has many articles (authors.articles).",
        },
        "fields": [
            int_pk(),
            {
                "field": "name",
                "type": "string",
                "schema": {"is_nullable": False},
                "meta": {"interface": "input", "required": True, "width": "half", "note": "Full name, as printed"},
            },
            {
                "field": "email",
                "type": "string",
                "schema": {"is_unique": True},
                "meta": {
                    "interface": "input",
                    "width": "half",
                    "note": "Contact address; unique",
                    "options": {"iconRight": "alternate_email"},
                },
            },
            {
                "field": "bio",
                "type": "text",
                "meta": {"interface": "input-multiline", "note": "A short biography, a few sentences"},
            },
            *timestamps(),
        ],
    },
    {
        "collection": "categories",
        "schema": {},
        "meta": {
            "icon": "label",
            "display_template": "{{name}}",
            "sort": 2,
            "note": "Topics an article can belong to (many-to-many with articles).",
        },
        "fields": [
            int_pk(),
            {
                "field": "name",
                "type": "string",
                "schema": {"is_nullable": False},
                "meta": {"interface": "input", "required": True, "width": "half"},
            },
            {
                "field": "slug",
                "type": "string",
                "schema": {"is_unique": True, "is_nullable": False},
                "meta": {
                    "interface": "input",
                    "required": True,
                    "width": "half",
                    "note": "URL-safe identifier, lowercase with dashes; unique",
                    "options": {"slug": True},
                },
            },
        ],
    },
    {
        "collection": "articles",
        "schema": {},
        "meta": {
            "icon": "article",
            "display_template": "{{title}}",
            "sort": 1,
            "archive_field": "status",
            "archive_value": "archived",
            "unarchive_value": "draft",
            "sort_field": None,
            "note": "Blog articles. Only status=published ones are public; archived ones are hidden in the app.",
        },
        "fields": [
            int_pk(),
            {
                "field": "status",
                "type": "string",
                "schema": {"default_value": "draft", "is_nullable": False},
                "meta": {
                    "interface": "select-dropdown",
                    "display": "labels",
                    "width": "half",
                    "note": "published: live on the site; draft: work in progress; archived: withdrawn",
                    "options": {
                        "choices": [
                            {"text": "Published", "value": "published"},
                            {"text": "Draft", "value": "draft"},
                            {"text": "Archived", "value": "archived"},
                        ]
                    },
                    "display_options": {
                        "choices": [
                            {
                                "text": "Published",
                                "value": "published",
                                "foreground": "#FFFFFF",
                                "background": "#2ECDA7",
                            },
                            {"text": "Draft", "value": "draft", "foreground": "#18222F", "background": "#D3DAE4"},
                            {"text": "Archived", "value": "archived", "foreground": "#FFFFFF", "background": "#A2B5CD"},
                        ]
                    },
                },
            },
            {
                "field": "publish_date",
                "type": "date",
                "meta": {
                    "interface": "datetime",
                    "width": "half",
                    "display": "datetime",
                    "note": "Day the article went (or goes) live",
                },
            },
            {
                "field": "title",
                "type": "string",
                "schema": {"is_nullable": False},
                "meta": {"interface": "input", "required": True, "note": "Headline, under 80 characters"},
            },
            {
                "field": "body",
                "type": "text",
                "meta": {"interface": "input-rich-text-md", "note": "Article text in Markdown"},
            },
            {
                "field": "views",
                "type": "integer",
                "schema": {"default_value": 0},
                "meta": {"interface": "input", "width": "half", "note": "Page views so far"},
            },
            *timestamps(),
        ],
    },
    {
        "collection": "ai_prompts",
        "schema": {},
        "meta": {
            "icon": "magic_button",
            "display_template": "{{name}}",
            "sort": 4,
            "note": "Prompts shared with AI assistants",
        },
        "fields": [
            int_pk(),
            {
                "field": "status",
                "type": "string",
                "schema": {"default_value": "draft", "is_nullable": False},
                "meta": {
                    "interface": "select-dropdown",
                    "width": "half",
                    "note": "Only published prompts are offered",
                    "options": {
                        "choices": [{"text": "Published", "value": "published"}, {"text": "Draft", "value": "draft"}]
                    },
                },
            },
            {
                "field": "name",
                "type": "string",
                "schema": {"is_nullable": False},
                "meta": {"interface": "input", "required": True, "width": "half"},
            },
            {"field": "description", "type": "text", "meta": {"interface": "input-multiline"}},
            {"field": "system_prompt", "type": "text", "meta": {"interface": "input-multiline"}},
            {
                "field": "messages",
                "type": "json",
                "meta": {
                    "interface": "list",
                    "special": ["cast-json"],
                    "note": "[{role: user|assistant, text}]",
                    "options": {
                        "fields": [
                            {"field": "role", "type": "string", "meta": {"interface": "select-dropdown"}},
                            {"field": "text", "type": "text", "meta": {"interface": "input-multiline"}},
                        ]
                    },
                },
            },
        ],
    },
    {
        "collection": "articles_categories",
        "schema": {},
        "meta": {
            "icon": "import_export",
            "hidden": True,
            "note": "Junction table of the articles <-> categories many-to-many relation.",
        },
        "fields": [
            int_pk(),
            {"field": "articles_id", "type": "integer", "meta": {"hidden": True}},
            {"field": "categories_id", "type": "integer", "meta": {"hidden": True}},
        ],
    },
]

EXTRA_FIELDS = [
    (
        "articles",
        {
            "field": "author",
            "type": "integer",
            "schema": {},
            "meta": {
                "interface": "select-dropdown-m2o",
                "special": ["m2o"],
                "width": "half",
                "display": "related-values",
                "display_options": {"template": "{{name}}"},
                "options": {"template": "{{name}}"},
                "note": "Who wrote it (many-to-one to authors)",
            },
        },
    ),
    (
        "articles",
        {
            "field": "categories",
            "type": "alias",
            "meta": {
                "interface": "list-m2m",
                "special": ["m2m"],
                "width": "half",
                "options": {"template": "{{categories_id.name}}"},
                "display": "related-values",
                "display_options": {"template": "{{categories_id.name}}"},
                "note": "Topics (many-to-many through articles_categories)",
            },
        },
    ),
    (
        "authors",
        {
            "field": "articles",
            "type": "alias",
            "meta": {
                "interface": "list-o2m",
                "special": ["o2m"],
                "options": {"template": "{{title}}"},
                "note": "Articles by this author (the other side of articles.author)",
            },
        },
    ),
]

RELATIONS = [
    {
        "collection": "articles",
        "field": "author",
        "related_collection": "authors",
        "schema": {"on_delete": "SET NULL"},
        "meta": {"one_field": "articles", "one_deselect_action": "nullify"},
    },
    {
        "collection": "articles_categories",
        "field": "articles_id",
        "related_collection": "articles",
        "schema": {"on_delete": "CASCADE"},
        "meta": {"one_field": "categories", "junction_field": "categories_id", "one_deselect_action": "delete"},
    },
    {
        "collection": "articles_categories",
        "field": "categories_id",
        "related_collection": "categories",
        "schema": {"on_delete": "CASCADE"},
        "meta": {"one_field": None, "junction_field": "articles_id", "one_deselect_action": "nullify"},
    },
]


def seed_schema(api):
    existing = {c["collection"] for c in api.get("/collections")}
    for spec in COLLECTIONS:
        if spec["collection"] not in existing:
            api.post("/collections", spec)
    for collection, field in EXTRA_FIELDS:
        fields = {f["field"] for f in api.get(f"/fields/{collection}")}
        if field["field"] not in fields:
            api.post(f"/fields/{collection}", field)
    relations = {(r["collection"], r["field"]) for r in api.get("/relations")}
    for relation in RELATIONS:
        if (relation["collection"], relation["field"]) not in relations:
            api.post("/relations", relation)


# --- items ------------------------------------------------------------------------------------------------------

AUTHORS = [
    {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "bio": "Mathematician and writer. Wrote the first published algorithm meant for a machine, "
        "and keeps asking what engines could do beyond arithmetic.",
    },
    {
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "bio": "Computer scientist and rear admiral. Built one of the first compilers and likes to hand out "
        "nanoseconds: pieces of wire 30 cm long.",
    },
    {
        "name": "Alan Turing",
        "email": "alan@example.com",
        "bio": "Mathematician and codebreaker. Writes about computability, machine intelligence and "
        "the patterns on a leopard's coat.",
    },
    {
        "name": "Margaret Hamilton",
        "email": "margaret@example.com",
        "bio": "Software engineer who led the Apollo flight software team and coined the term software engineering.",
    },
]

CATEGORIES = [
    {"name": "History", "slug": "history"},
    {"name": "Engineering", "slug": "engineering"},
    {"name": "Mathematics", "slug": "mathematics"},
    {"name": "Space", "slug": "space"},
    {"name": "Culture", "slug": "culture"},
]

PROMPTS = [
    {
        "status": "published",
        "name": "Summarize an article",
        "description": "Two sentences about one article, for the newsletter",
        "system_prompt": "You write newsletter blurbs: two sentences, plain words, no hype.",
        "messages": [
            {
                "role": "user",
                "text": 'Summarize the article titled "{{ title: the article\'s title }}" in two sentences.',
            }
        ],
    },
    {
        "status": "published",
        "name": "Content report",
        "description": "How many articles each author has, per status",
        "system_prompt": None,
        "messages": [{"role": "user", "text": "Make a table of the number of articles per author and status."}],
    },
    {
        "status": "draft",
        "name": "Half-written prompt",
        "description": "Not published: not offered",
        "system_prompt": None,
        "messages": [{"role": "user", "text": "TODO"}],
    },
]

# (title, author, status, publish_date, views, categories, body)
ARTICLES = [
    (
        "Notes on the Analytical Engine",
        "Ada Lovelace",
        "published",
        "2024-01-15",
        1520,
        ["history", "mathematics"],
        "The engine *weaves algebraic patterns* just as the Jacquard loom weaves flowers and leaves.\n\n"
        "## What it can do\n\nIt can compute Bernoulli numbers step by step, given the right cards. "
        "It has no pretensions to originate anything: it does what we know how to order it to perform.",
    ),
    (
        "Why the compiler matters",
        "Grace Hopper",
        "published",
        "2024-02-02",
        980,
        ["engineering", "history"],
        "Programmers should write in a language people read, and let the machine translate.\n\n"
        "- fewer mistakes\n- programs that outlive their hardware\n- more people who can program",
    ),
    (
        "Computing machinery and intelligence",
        "Alan Turing",
        "published",
        "2024-02-20",
        2210,
        ["mathematics", "culture"],
        "I propose to consider the question: *can machines think?*\n\nRather than define thinking, "
        "we play the imitation game and ask whether an interrogator can tell the machine from a person.",
    ),
    (
        "Software for the Moon landing",
        "Margaret Hamilton",
        "published",
        "2024-03-05",
        1875,
        ["space", "engineering"],
        "Three minutes before touchdown the guidance computer raised alarms 1201 and 1202.\n\n"
        "Priority scheduling dropped the low-priority jobs and kept the landing on track.",
    ),
    (
        "A nanosecond is 30 centimetres",
        "Grace Hopper",
        "published",
        "2024-03-18",
        640,
        ["engineering", "culture"],
        "Hold up a piece of wire 30 cm long: that is how far light travels in a billionth of a second. "
        "Every satellite link wastes a great many of them.",
    ),
    (
        "On computable numbers, for everyone",
        "Alan Turing",
        "published",
        "2024-04-09",
        1190,
        ["mathematics"],
        "A number is computable if a machine with a finite table of instructions can write its digits one by one.\n\n"
        "Most real numbers are **not** computable.",
    ),
    (
        "Error handling at 384,000 km",
        "Margaret Hamilton",
        "published",
        "2024-04-30",
        760,
        ["space", "engineering"],
        "Design for the astronaut who presses the wrong key. The software must recover, restart and "
        "tell the crew what it is doing.",
    ),
    (
        "Poetical science",
        "Ada Lovelace",
        "published",
        "2024-05-21",
        430,
        ["culture", "mathematics"],
        "Imagination is the discovering faculty. Mathematics needs it as much as poetry does.",
    ),
    (
        "Morphogenesis: how the leopard gets its spots",
        "Alan Turing",
        "draft",
        "2024-07-01",
        0,
        ["mathematics"],
        "Two chemicals that react and diffuse at different speeds are enough to draw stripes and spots.\n\n"
        "_Draft: figures still to come._",
    ),
    (
        "Debugging, literally",
        "Grace Hopper",
        "draft",
        None,
        0,
        ["history", "engineering"],
        "On 9 September 1947 the team found a moth in relay 70 of the Mark II and taped it into the log book.",
    ),
    (
        "Punched cards and looms",
        "Ada Lovelace",
        "archived",
        "2023-11-11",
        215,
        ["history"],
        "An older piece about the cards of the Jacquard loom, superseded by the Analytical Engine notes.",
    ),
    (
        "Rope memory, woven by hand",
        "Margaret Hamilton",
        "archived",
        "2023-12-01",
        305,
        ["space", "history"],
        "The Apollo programs were woven into core rope memory: a wire through a core is a one, around it a zero.",
    ),
]


def seed_items(api):
    if not api.get("/items/authors", limit=1):
        api.post("/items/authors", AUTHORS)
    if not api.get("/items/categories", limit=1):
        api.post("/items/categories", CATEGORIES)
    if not api.get("/items/ai_prompts", limit=1):
        api.post("/items/ai_prompts", PROMPTS)
    if api.get("/items/articles", limit=1):
        return
    authors = {a["name"]: a["id"] for a in api.get("/items/authors", fields="id,name", limit=-1)}
    categories = {c["slug"]: c["id"] for c in api.get("/items/categories", fields="id,slug", limit=-1)}
    api.post(
        "/items/articles",
        [
            {
                "title": title,
                "author": authors[author],
                "status": status,
                "publish_date": date,
                "views": views,
                "body": body,
                "categories": [{"categories_id": categories[slug]} for slug in slugs],
            }
            for title, author, status, date, views, slugs, body in ARTICLES
        ],
    )


# --- flow -------------------------------------------------------------------------------------------------------

SUMMARY_SCRIPT = """module.exports = async function (data) {
  // item-read returns one object (not a list) when a single key is selected
  const read = data.read_articles;
  const items = Array.isArray(read) ? read : read ? [read] : [];
  return {
    count: items.length,
    total_views: items.reduce((sum, item) => sum + (item.views || 0), 0),
    titles: items.map((item) => item.title),
    statuses: items.reduce((acc, item) => { acc[item.status] = (acc[item.status] || 0) + 1; return acc; }, {}),
  };
};"""


def seed_flow(api):
    name = "Summarize articles"
    if api.get("/flows", filter={"name": {"_eq": name}}):
        return
    flow = api.post(
        "/flows",
        {
            "name": name,
            "icon": "summarize",
            "color": "#6644FF",
            "status": "active",
            "trigger": "manual",
            "accountability": "all",
            "description": "Counts the selected articles, adds up their views and lists their titles.",
            "options": {
                "collections": ["articles"],
                "location": "both",
                "requireSelection": True,
                "requireConfirmation": False,
                "async": False,
                "return": "$last",
            },
        },
    )
    summarize = api.post(
        "/operations",
        {
            "flow": flow["id"],
            "key": "summarize",
            "name": "Summarize",
            "type": "exec",
            "position_x": 37,
            "position_y": 1,
            "resolve": None,
            "reject": None,
            "options": {"code": SUMMARY_SCRIPT},
        },
    )
    read = api.post(
        "/operations",
        {
            "flow": flow["id"],
            "key": "read_articles",
            "name": "Read the selected articles",
            "type": "item-read",
            "position_x": 19,
            "position_y": 1,
            "resolve": summarize["id"],
            "reject": None,
            "options": {
                "collection": "articles",
                "key": "{{$trigger.body.keys}}",
                "permissions": "$full",
                "query": {"fields": ["id", "title", "status", "views"]},
            },
        },
    )
    api.patch(f"/flows/{flow['id']}", {"operation": read["id"]})


# --- files ------------------------------------------------------------------------------------------------------


def tiny_png(width=32, height=32):
    """A small RGB gradient PNG, made with zlib only."""
    rows = b"".join(
        b"\0" + b"".join(bytes((x * 255 // (width - 1), y * 255 // (height - 1), 160)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def multipart(fields, filename, content, content_type):
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():  # Directus needs the form fields before the file part
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def seed_files(api):
    folders = api.get("/folders", filter={"name": {"_eq": "Demo images"}})
    folder = folders[0] if folders else api.post("/folders", {"name": "Demo images"})
    if api.get("/files", filter={"filename_download": {"_eq": "gradient.png"}}):
        return
    body, content_type = multipart(
        {"title": "Gradient", "description": "A 32x32 test image generated by the seed script", "folder": folder["id"]},
        "gradient.png",
        tiny_png(),
        "image/png",
    )
    api.request("POST", "/files", raw=body, content_type=content_type)


# --- access -----------------------------------------------------------------------------------------------------

READER_COLLECTIONS = ["articles", "categories", "articles_categories"]


def seed_reader_role_v10(api):
    """Directus 10: permissions belong to the role (no policies); app access is a role flag."""
    roles = api.get("/roles", filter={"name": {"_eq": "Reader"}})
    role = (
        roles[0]
        if roles
        else api.post(
            "/roles",
            {
                "name": "Reader",
                "icon": "menu_book",
                "description": "Demo reader",
                "admin_access": False,
                "app_access": True,
            },
        )
    )
    granted = {p["collection"] for p in api.get("/permissions", filter={"role": {"_eq": role["id"]}})}
    for collection in READER_COLLECTIONS:
        if collection not in granted:
            api.post("/permissions", {"role": role["id"], "collection": collection, "action": "read", "fields": ["*"]})
    return role


def seed_reader_policy(api):
    """Directus 11+: a Reader policy with the read permissions, attached to a Reader role."""
    policies = api.get("/policies", filter={"name": {"_eq": "Reader"}})
    if policies:
        policy = policies[0]
    else:
        policy = api.post(
            "/policies",
            {
                "name": "Reader",
                "icon": "menu_book",
                "admin_access": False,
                "app_access": True,
                "description": "Read-only on articles and categories; no access to authors.",
            },
        )
    granted = {p["collection"] for p in api.get("/permissions", filter={"policy": {"_eq": policy["id"]}})}
    for collection in READER_COLLECTIONS:
        if collection not in granted:
            api.post(
                "/permissions", {"policy": policy["id"], "collection": collection, "action": "read", "fields": ["*"]}
            )
    roles = api.get("/roles", filter={"name": {"_eq": "Reader"}})
    return (
        roles[0]
        if roles
        else api.post(
            "/roles",
            {
                "name": "Reader",
                "icon": "menu_book",
                "description": "Demo reader",
                "policies": [{"policy": policy["id"]}],
            },
        )
    )


def seed_reader(api):
    role = seed_reader_policy(api) if api.exists("/policies") else seed_reader_role_v10(api)
    if not api.get("/users", filter={"email": {"_eq": DEMO["reader_email"]}}):
        api.post(
            "/users",
            {
                "first_name": "Demo",
                "last_name": "Reader",
                "email": DEMO["reader_email"],
                "password": DEMO["reader_password"],
                "role": role["id"],
                "status": "active",
                "token": DEMO["reader_token"],
            },
        )
    admins = api.get("/users", filter={"email": {"_eq": DEMO["admin_email"]}})
    if admins and not admins[0].get("first_name"):
        api.patch(f"/users/{admins[0]['id']}", {"first_name": "Demo", "last_name": "Admin"})


def seed_settings(api):
    api.patch(
        "/settings",
        {
            "project_name": "Directus Assistant demo",
            "project_descriptor": "Local demo content for the browser assistant",
            "mcp_prompts_collection": "ai_prompts",
        },
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="Directus base URL, e.g. http://127.0.0.1:8055")
    parser.add_argument("--token", default=DEMO["admin_token"], help="an admin token (default: the demo one)")
    args = parser.parse_args(argv)
    api = Api(args.url, args.token)
    seed_schema(api)
    seed_items(api)
    seed_flow(api)
    seed_files(api)
    seed_reader(api)
    seed_settings(api)
    print(f"seeded {args.url}", file=sys.stderr)


if __name__ == "__main__":
    main()
