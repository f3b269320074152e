import pytest

from sgfns.graphs.types import GraphError, SceneGraph


def good() -> dict:
    return {
        "objects": [
            {"name": "dog", "attributes": ["brown"], "count": 2, "span": [6, 10]},
            {"name": "sofa", "attributes": [], "count": None, "span": [18, 22]},
        ],
        "relations": [{"subject": 0, "predicate": "on", "object": 1}],
    }


def test_round_trip():
    g = SceneGraph.from_dict(good(), caption="brown dogs on the sofa")
    assert g.to_dict() == good()
    assert g.triples() == [("dog", "on", "sofa")]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["relations"][0].update(object=5), "relations[0].object index 5 out of range (2 objects)"),
        (lambda d: d["objects"][0].update(name=""), "objects[0].name is empty"),
        (lambda d: d["objects"][0].update(name=3), "objects[0].name must be a string"),
        (lambda d: d["objects"][0].update(count="two"), "objects[0].count must be a non-negative integer"),
        (lambda d: d["objects"][0].update(attributes="brown"), "objects[0].attributes must be a list of strings"),
        (lambda d: d["objects"][1].update(span=[18, 40]), "objects[1].span [18, 40] lies outside the caption"),
        (lambda d: d["objects"][1].update(span=[5, 5]), "objects[1].span [5, 5] is not a non-empty range"),
        (lambda d: d["relations"][0].update(predicate=""), "relations[0].predicate must be a non-empty string"),
        (lambda d: d.update(objects={}), "'objects' must be a list"),
        (lambda d: d.update(colour=1), "unknown key(s) ['colour']"),
    ],
)
def test_invalid_graphs_name_the_problem(mutate, message):
    d = good()
    mutate(d)
    with pytest.raises(GraphError) as e:
        SceneGraph.from_dict(d, caption="brown dogs on the sofa")
    assert message in str(e.value)


def test_region_index_checked_against_regions():
    d = {"objects": [{"name": "cup", "attributes": [], "count": None, "region": 36}], "relations": []}
    with pytest.raises(GraphError, match="region 36 out of range"):
        SceneGraph.from_dict(d, n_regions=36)
    assert SceneGraph.from_dict(d, n_regions=37).objects[0].region == 36
