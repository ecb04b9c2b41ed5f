"""The pager's page links: the first page, the current one's neighbours, and the last when
the row count is known (a SQL query's is not)."""

from __future__ import annotations

from tote.connect.jdbc.browse import RowPage
from tote.ui.routes_db import page_numbers


def _page(page: int, *, has_next: bool, total: int | None) -> RowPage:
    return RowPage(("n",), ((1,),), page, 50, has_next, total)


def test_a_table_links_first_neighbours_and_last() -> None:
    assert page_numbers(_page(1, has_next=True, total=100_000)) == [1, 2, 3, 2000]
    assert page_numbers(_page(7, has_next=True, total=100_000)) == [1, 5, 6, 7, 8, 9, 2000]
    assert page_numbers(_page(1, has_next=False, total=0)) == [1]


def test_a_query_links_first_and_neighbours() -> None:
    assert page_numbers(_page(1, has_next=True, total=None)) == [1, 2]
    assert page_numbers(_page(5, has_next=True, total=None)) == [1, 4, 5, 6]
    assert page_numbers(_page(3, has_next=False, total=None)) == [1, 2, 3]
