"""The catalogue file against the seed's own text (a copy of seed 003 in tests/greenmine/data).

The seed is a PDF's text: every cell is broken across lines, and a cell that runs over a page
continues after the next page's header and the other columns' fragments.  Whitespace is removed
on both sides; a text is then found as at most two pieces in order (one page break), and the
next column (考核方法) must start where it ends, so nothing was dropped at its end.
"""

import re
from pathlib import Path

import pytest

from greenmine import reference

SEED = Path(__file__).parent / "data" / "seed-003.txt"
FLAT = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
CATALOGUE = reference.read_catalogue(reference.DATA_DIR / "catalogue-2024.yaml")
METHODS = ("查资料", "查现场")


def flat(text):
    return re.sub(r"\s+", "", text or "")


def pieces_in_seed(text, start=0):
    """Split `text` into the fewest pieces found in order in the seed; returns [(begin, end), ...]."""
    found, rest = [], text
    while rest:
        for size in range(len(rest), 0, -1):
            at = FLAT.find(rest[:size], start)
            if at >= 0:
                break
        else:
            return None
        if size < 4 and found:  # a stray character or two is no evidence of a transcription
            return None
        found.append((at, at + size))
        start, rest = at + size, rest[size:]
    return found


@pytest.mark.parametrize("item", CATALOGUE["indicators"], ids=lambda i: str(i["number"]))
def test_transcription_scoring_text_is_the_seeds_whole_cell(item):
    heading = flat(f"{item['number']}{item['name']}")
    head_at = FLAT.find(heading)
    assert head_at >= 0, "number and name as in the seed"

    pieces = pieces_in_seed(flat(item["scoring_text"]), head_at)

    assert pieces is not None and len(pieces) <= 2, pieces
    points_then_text = flat(f"{item['points']:g}") + FLAT[pieces[0][0] : pieces[0][0] + 4]
    assert FLAT[head_at + len(heading) :].startswith(points_then_text)  # 标准分 right after the name
    # Next comes the method column, or (a cell broken by a page) the rest of the basis column.
    following = FLAT[pieces[-1][1] : pieces[-1][1] + 4]
    assert following.startswith(METHODS) or (len(pieces) == 2 and following in flat(item["basis"])), following


@pytest.mark.parametrize("item", CATALOGUE["indicators"], ids=lambda i: str(i["number"]))
def test_transcription_method_basis_and_attribute_follow_the_text(item):
    heading_at = FLAT.find(flat(f"{item['number']}{item['name']}"))
    text = pieces_in_seed(flat(item["scoring_text"]), heading_at)
    attribute = {"constraint": "约束性", "improvement": "提升性"}[item["attribute"]]

    columns = pieces_in_seed(flat(item["method"]) + flat(item["basis"]), text[0][1])

    assert columns is not None and len(columns) <= 2, columns
    assert columns[0][0] == text[0][1]  # the next column starts where the text (or its first page) ends
    if len(columns) == 1:
        assert FLAT[columns[0][1] :].startswith(attribute)  # nothing dropped at the basis's end
    else:  # the basis ran over a page: its last piece ends the row, the next row's number follows
        assert FLAT[columns[1][1]].isdigit()
    assert re.search("约束性|提升性", FLAT[text[0][1] :]).group() == attribute


@pytest.mark.parametrize("item", CATALOGUE["indicators"], ids=lambda i: str(i["number"]))
def test_transcription_category_and_subcategory_are_the_ones_above_it(item):
    heading_at = FLAT.find(flat(f"{item['number']}{item['name']}"))
    # The seed's own headings above the row: 一、矿区环境(7项，12分) and 1矿容矿貌（9分）.
    category = re.findall(r"[一二三四五六]、[\u4e00-\u9fff]+[（(]\d+项", FLAT[:heading_at])[-1]
    subcategory = re.findall(r"[\u4e00-\u9fff]+（\d+分）", FLAT[:heading_at])[-1]
    labels = {c["number"]: flat(c["label"]) for c in CATALOGUE["categories"]}

    assert labels[item["category"]].startswith(category)
    assert subcategory == flat(item["subcategory"])


def test_transcription_prerequisites_are_the_seeds_text():
    for item in CATALOGUE["prerequisites"]:
        assert flat(item["name"]) in FLAT
        assert flat(item["requirement"]) in FLAT
