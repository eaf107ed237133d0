"""Rows made into a chart (app/directus/chart_query.py): axes from the query, labels, series, the summary the
model reads, the bounded query, the snapshot and the CSV."""

from __future__ import annotations

from app.directus.chart_query import MAX_ROWS, bounded_params, make_frame, snapshot, summary, to_csv
from app.directus.tools.query import Query

MONTHLY = [
    {"publish_date_year": None, "publish_date_month": None, "status": "draft", "count": 1},
    {"publish_date_year": 2024, "publish_date_month": 2, "status": "published", "count": 2},
    {"publish_date_year": 2023, "publish_date_month": 11, "status": "archived", "count": 1},
    {"publish_date_year": 2024, "publish_date_month": 2, "status": "draft", "count": "3"},
]
BY_MONTH = Query(aggregate={"count": ["*"]}, groupBy=["year(publish_date)", "month(publish_date)", "status"])


def test_year_and_month_make_one_label_and_the_second_group_splits_the_series():
    frame = make_frame("stacked", BY_MONTH, MONTHLY)
    assert frame.labels == ["2023-11", "2024-02", "(empty)"]
    assert dict(frame.series) == {
        "draft": [None, 3.0, 1.0],
        "published": [None, 2.0, None],
        "archived": [1.0, None, None],
    }
    assert frame.columns == ["publish_date_month", "draft", "published", "archived"]
    assert frame.rows[1] == ["2024-02", 3.0, 2.0, None]


def test_the_summary_has_numbers_in_brief_never_the_rows():
    frame = make_frame("stacked", BY_MONTH, MONTHLY)
    out = summary(frame, shown=4, total=None, more=False)
    assert out["drawn"] == "stacked bar chart" and out["rows"] == 4
    assert out["y"] == {"field": "count", "min": 1, "max": 3, "total": 7}
    assert out["series"] == {"draft": 4, "published": 2, "archived": 1}
    assert "2024-02" not in str(out["series"]) and out["x"]["n"] == 3


def test_nested_aggregates_flatten_and_plain_fields_put_x_first():
    rows = [{"author": 1, "sum": {"views": "2165"}}, {"author": 2, "sum": {"views": 1620}}]
    frame = make_frame("bar", Query(aggregate={"sum": ["views"]}, groupBy=["author"]), rows)
    assert frame.labels == ["1", "2"] and frame.series == [("sum.views", [2165.0, 1620.0])]
    plain = make_frame("line", Query(fields=["title", "views"]), [{"title": "<img onerror=x>", "views": 5}])
    assert plain.labels == ["<img onerror=x>"] and plain.series == [("views", [5.0])]


def test_scatter_and_table():
    rows = [{"views": 1, "id": 3}, {"views": 2, "id": "x"}]
    scatter = make_frame("scatter", Query(fields=["views", "id"]), rows)
    assert scatter.points == [("id", [(1.0, 3.0)])]
    table = make_frame("table", Query(fields=["id", "views"]), rows)
    assert table.columns == ["views", "id"] and table.rows == [[1, 3], [2, "x"]]


def test_queries_are_bounded_and_ask_one_more_row():
    params, limit = bounded_params(Query(fields=["id"]))
    assert limit == MAX_ROWS and params["limit"] == MAX_ROWS + 1 and params["meta"] == "filter_count"
    params, limit = bounded_params(Query(aggregate={"count": ["*"]}, groupBy=["status"], limit=10, page=3))
    assert limit == 10 and params["limit"] == 11 and "meta" not in params and "page" not in params
    _, limit = bounded_params(Query(fields=["id"], limit=-1))
    assert limit == MAX_ROWS


def test_the_snapshot_keeps_leading_rows_within_its_size():
    rows = [{"t": "x" * 1000} for _ in range(500)]
    kept, cut = snapshot(rows)
    assert cut and 80 < len(kept) < 120
    assert snapshot(rows[:3]) == (rows[:3], False)


def test_csv_quotes_and_defuses_formulas():
    text = to_csv(["label", "n"], [["=HYPERLINK(1)", 2.0], ['a "b", c', None], ["-3", -3]])
    assert text.splitlines() == ["label,n", "'=HYPERLINK(1),2", '"a ""b"", c",', "-3,-3"]


def test_values_that_are_no_finite_number_are_empty_labels_and_no_values():
    rows = [
        {"publish_date_year": "inf", "publish_date_month": 2, "status": "draft", "count": 1},
        {"publish_date_year": 2024, "publish_date_month": "nan", "status": "draft", "count": "1e999"},
        {"publish_date_year": 10**400, "publish_date_month": "1e999", "status": "draft", "count": 2},
        {"publish_date_year": 2024, "publish_date_month": 3, "status": "draft", "count": "-inf"},
    ]
    frame = make_frame("bar", BY_MONTH, rows)
    assert frame.labels == ["2024-03", "(empty)"]
    assert dict(frame.series) == {"draft": [None, 3.0]}  # "1e999" and "-inf" are no numbers: not summed
