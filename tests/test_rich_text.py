"""Publishers' descriptions as safe HTML (webapp/rich_text.py)."""

from webapp.rich_text import rich_text


def test_a_bare_address_becomes_a_link_and_nothing_unsafe_survives():
    html = str(rich_text("Rules: http://eur-lex.europa.eu/x?uri=CELEX:1 or www.example.org.\n\n"
                         "<script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>\n\n**bold**"))
    assert '<a href="http://eur-lex.europa.eu/x?uri=CELEX:1" rel="noopener nofollow ugc">' in html
    assert '<a href="http://www.example.org"' in html
    assert "<script" not in html and "javascript:" not in html and "<strong>bold</strong>" in html


def test_an_empty_description_is_empty():
    assert str(rich_text(None)) == "" and str(rich_text("")) == ""


def test_iris_in_a_plain_description_are_code_and_the_rest_is_escaped():
    from webapp.rich_text import iris_as_code

    html = str(iris_as_code("Types (http://joinup.eu/licence/legal-type), see <b>https://x.example/a#B</b>."))
    assert html == ("Types (<code>http://joinup.eu/licence/legal-type</code>), see &lt;b&gt;"
                    "<code>https://x.example/a#B</code>&lt;/b&gt;.")
