"""Files and folders: the seeded image, folder CRUD, import from a URL, upload, metadata, delete."""

import http.server
import threading
from contextlib import contextmanager

import pytest

from scripts.directus_seed import tiny_png

pytestmark = pytest.mark.directus

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_seeded_image_sits_in_its_folder_and_is_served(directus):
    with directus.client() as admin:
        files = admin.get("/files", params={"fields": "id,title,type,width,height,filesize,folder.name"}).json()
        (image,) = files["data"]
        assert image["title"] == "Gradient" and image["type"] == "image/png"
        assert (image["width"], image["height"]) == (32, 32)
        assert image["folder"] == {"name": "Demo images"}
        asset = admin.get(f"/assets/{image['id']}")
        assert asset.status_code == 200
        assert asset.content.startswith(PNG_SIGNATURE) and len(asset.content) == image["filesize"]
        thumb = admin.get(f"/assets/{image['id']}", params={"width": 8, "height": 8, "fit": "cover", "format": "webp"})
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    with directus.client(token=directus.reader_token) as reader:  # files are not shared with the Reader
        assert reader.get(f"/assets/{image['id']}").status_code == 403


def test_import_from_an_unreachable_url_is_503(directus):
    with directus.client() as admin:
        response = admin.post("/files/import", json={"url": "http://127.0.0.1:9/missing.png"})
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


def test_folders_crud(directus_reset):
    with directus_reset.client() as admin:
        parent = admin.post("/folders", json={"name": "Press"}).json()["data"]
        assert parent["parent"] is None
        assert parent.get("type") == ("files" if directus_reset.at_least(12) else None)  # flow folders came in 12
        child = admin.post("/folders", json={"name": "2024", "parent": parent["id"]}).json()["data"]
        assert child["parent"] == parent["id"]
        renamed = admin.patch(f"/folders/{child['id']}", json={"name": "Archive 2024"}).json()["data"]
        assert renamed["name"] == "Archive 2024"
        names = {f["name"] for f in admin.get("/folders", params={"fields": "name"}).json()["data"]}
        assert names == {"Demo images", "Press", "Archive 2024"}
        assert admin.delete(f"/folders/{child['id']}").status_code == 204
        assert admin.delete(f"/folders/{parent['id']}").status_code == 204
        names = {f["name"] for f in admin.get("/folders", params={"fields": "name"}).json()["data"]}
        assert names == {"Demo images"}


@contextmanager
def serving(body, content_type):
    """A one-file HTTP server on a free loopback port; yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sample.png"
    finally:
        server.shutdown()
        server.server_close()


def test_import_from_a_url_update_metadata_and_delete(directus_reset):
    png = tiny_png(24, 12)
    with directus_reset.client() as admin:
        folder = admin.get("/folders", params={"filter[name][_eq]": "Demo images"}).json()["data"][0]
        with serving(png, "image/png") as url:
            imported = admin.post(
                "/files/import", json={"url": url, "data": {"title": "Imported", "folder": folder["id"]}}
            )
        assert imported.status_code == 200, imported.text
        file = imported.json()["data"]
        assert (file["width"], file["height"], file["type"]) == (24, 12, "image/png")
        assert file["folder"] == folder["id"] and file["filename_download"] == "sample.png"
        assert admin.get(f"/assets/{file['id']}").content == png

        patched = admin.patch(f"/files/{file['id']}", json={"title": "Renamed", "description": "A sample"})
        assert patched.status_code == 200, patched.text
        assert (patched.json()["data"]["title"], patched.json()["data"]["description"]) == ("Renamed", "A sample")

        assert admin.delete(f"/files/{file['id']}").status_code == 204
        assert admin.get(f"/files/{file['id']}").status_code == 403
        assert admin.get(f"/assets/{file['id']}").status_code == 403


def test_multipart_upload_needs_fields_before_the_file(directus_reset):
    png = tiny_png(4, 4)
    with directus_reset.client() as admin:
        # httpx writes data fields before files, which is the order Directus needs
        response = admin.post("/files", data={"title": "Uploaded"}, files={"file": ("dot.png", png, "image/png")})
        assert response.status_code == 200, response.text
        file = response.json()["data"]
        assert (file["title"], file["width"], file["filesize"]) == ("Uploaded", 4, len(png))
