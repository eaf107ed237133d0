"""The local Directus as the browser app meets it: readiness, version, CORS, auth, and the Reader's limits."""

import pytest

pytestmark = pytest.mark.directus


def test_ping_and_version(directus):
    with directus.client(token=None) as anonymous, directus.client() as admin:
        assert anonymous.get("/server/ping").text == "pong"
        info = admin.get("/server/info").json()["data"]
    assert info["version"] == directus.version  # told to every signed-in user, on every version


def test_cors_preflight_allows_the_app_origin_search_and_authorization(directus):
    with directus.client(token=None) as anonymous:
        response = anonymous.options(
            "/items/articles",
            headers={
                "Origin": "http://127.0.0.1:8000",
                "Access-Control-Request-Method": "SEARCH",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
    methods = set(response.headers["access-control-allow-methods"].split(","))
    assert {"GET", "POST", "PATCH", "DELETE", "SEARCH"} <= methods
    headers = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= headers


def test_error_responses_carry_cors_headers_too(directus):
    with directus.client(token="not-a-token") as client:
        response = client.get("/items/articles", headers={"Origin": "http://127.0.0.1:8000"})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
    # an unknown static token is "invalid credentials", not "invalid token"
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_CREDENTIALS"


def test_login_in_json_mode_then_refresh(directus):
    with directus.client(token=None) as anonymous:
        login = anonymous.post(
            "/auth/login", json={"email": directus.admin_email, "password": directus.admin_password, "mode": "json"}
        )
        assert login.status_code == 200, login.text
        tokens = login.json()["data"]
        assert tokens["expires"] == 900_000  # milliseconds: the access token lasts 15 minutes
        me = anonymous.get(
            "/users/me",
            params={"fields": "email,role.name"},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        ).json()["data"]
        assert me == {"email": directus.admin_email, "role": {"name": "Administrator"}}

        refreshed = anonymous.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"], "mode": "json"})
        assert refreshed.status_code == 200, refreshed.text
        new = refreshed.json()["data"]
        assert new["refresh_token"] != tokens["refresh_token"]  # refresh tokens rotate
        assert anonymous.get("/users/me", headers={"Authorization": f"Bearer {new['access_token']}"}).status_code == 200
        # the old refresh token is spent
        again = anonymous.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"], "mode": "json"})
        assert again.status_code == 401
        assert again.json()["errors"][0]["extensions"]["code"] == "INVALID_CREDENTIALS"


def test_login_with_a_wrong_password_is_refused(directus):
    with directus.client(token=None) as anonymous:
        response = anonymous.post("/auth/login", json={"email": directus.reader_email, "password": "wrong"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_CREDENTIALS"


def test_reader_can_log_in_and_is_not_admin(directus):
    with directus.client(token=None) as anonymous:
        tokens = anonymous.post(
            "/auth/login", json={"email": directus.reader_email, "password": directus.reader_password, "mode": "json"}
        ).json()["data"]
    with directus.client(token=tokens["access_token"]) as reader:
        me = reader.get("/users/me", params={"fields": "email,role.name,role.policies.policy.name"}).json()["data"]
    assert me["email"] == directus.reader_email
    assert me["role"]["name"] == "Reader"


def test_static_tokens_identify_their_users(directus):
    with directus.client() as admin, directus.client(token=directus.reader_token) as reader:
        assert admin.get("/users/me", params={"fields": "email"}).json()["data"]["email"] == directus.admin_email
        assert reader.get("/users/me", params={"fields": "email"}).json()["data"]["email"] == directus.reader_email


def forbidden(response):
    return response.status_code == 403 and response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_reader_reads_articles_and_categories_but_not_authors(directus):
    with directus.client(token=directus.reader_token) as reader:
        articles = reader.get("/items/articles", params={"fields": "title,categories.categories_id.slug"})
        assert articles.status_code == 200
        assert len(articles.json()["data"]) == 12
        assert reader.get("/items/categories").status_code == 200
        authors = reader.get("/items/authors")
        assert forbidden(authors), authors.text
        if directus.at_least(11):  # Directus 10 does not name the collection
            assert "authors" in authors.json()["errors"][0]["message"]
        # fields through a relation into a forbidden collection are silently dropped (the raw key stays) ...
        rows = reader.get("/items/articles", params={"fields": "title,author.name", "limit": 1}).json()["data"]
        assert rows == [{"title": "Notes on the Analytical Engine"}]
        rows = reader.get("/items/articles", params={"fields": "author,author.name", "limit": 1}).json()["data"]
        assert rows == [{"author": 1}]
        # ... but filtering through it is refused
        refused = reader.get("/items/articles", params={"filter": '{"author":{"name":{"_eq":"Ada Lovelace"}}}'})
        assert forbidden(refused)


def test_reader_cannot_write(directus):
    with directus.client(token=directus.reader_token) as reader:
        assert forbidden(reader.post("/items/articles", json={"title": "Nope"}))
        assert forbidden(reader.patch("/items/articles/1", json={"title": "Nope"}))
        assert forbidden(reader.delete("/items/articles/1"))
        assert forbidden(reader.post("/collections", json={"collection": "nope", "schema": {}}))
    with directus.client() as admin:
        assert (
            admin.get("/items/articles/1", params={"fields": "title"}).json()["data"]["title"]
            == "Notes on the Analytical Engine"
        )


def test_reader_permissions_me_lists_only_read_access(directus):
    if not directus.at_least(11):
        pytest.skip(
            "/permissions/me arrived with policies in Directus 11 (10: the role's rows, test_tools_permissions)"
        )
    with directus.client(token=directus.reader_token) as reader:
        permissions = reader.get("/permissions/me").json()["data"]
    assert permissions["articles"]["read"]["access"] == "full"
    assert permissions["articles"]["create"]["access"] == "none"
    assert "authors" not in permissions


def test_reader_sees_only_permitted_collections_in_the_schema(directus):
    with directus.client(token=directus.reader_token) as reader:
        names = {c["collection"] for c in reader.get("/collections").json()["data"]}
        assert {"articles", "categories"} <= names
        assert "authors" not in names
        assert reader.get("/fields/articles").status_code == 200
        assert forbidden(reader.get("/fields/authors"))


def test_no_token_is_forbidden(directus):
    with directus.client(token=None) as anonymous:
        assert forbidden(anonymous.get("/items/articles"))
