"""The caption parser's rules, one test per known failure class (docs/parser.md), plus the span contract."""

from __future__ import annotations

import pytest

from sgfns.graphs.types import SceneGraph

pytest.importorskip("spacy")


@pytest.fixture(scope="module")
def parser():
    from sgfns.graphs.parser import load_parser

    return load_parser(backend="rules")


def triples(g: SceneGraph) -> set[tuple[str, str, str]]:
    return set(g.triples())


def names(g: SceneGraph) -> list[str]:
    return [o.name for o in g.objects]


def obj(g: SceneGraph, name: str):
    found = [o for o in g.objects if o.name == name]
    assert found, f"no object {name!r} in {names(g)}"
    return found[0]


def test_verb_plus_preposition(parser):
    g = parser.parse("a dog sitting on a bench")
    assert ("dog", "sit on", "bench") in triples(g)
    g = parser.parse("a woman is walking along the beach")
    assert ("woman", "walk along", "beach") in triples(g)


def test_multiword_predicates(parser):
    assert ("man", "in front of", "building") in triples(parser.parse("a man is in front of the building"))
    assert ("lamp", "next to", "bed") in triples(parser.parse("a lamp next to the bed"))
    assert ("vase", "on top of", "table") in triples(parser.parse("a vase on top of the table"))
    assert ("car", "park next to", "tree") in triples(parser.parse("a car parked next to a tree"))
    assert ("house", "on side of", "road") in triples(parser.parse("house on the side of the road"))


def test_copula_prepositional_phrase(parser):
    g = parser.parse("the cat is on the table")
    assert triples(g) == {("cat", "on", "table")}


def test_passives_and_participles(parser):
    assert ("car", "park on", "street") in triples(parser.parse("a car parked on the street"))
    assert ("cake", "cover in", "frosting") in triples(parser.parse("a cake covered in frosting"))
    g = parser.parse("the ground is covered with snow")
    assert ("ground", "cover with", "snow") in triples(g)


def test_possessive_and_part_whole_of(parser):
    assert ("man", "have", "hat") in triples(parser.parse("the man's hat"))
    assert ("man", "have", "arm") in triples(parser.parse("the arm of a man"))
    assert ("food", "on", "plate") in triples(parser.parse("a plate of food"))
    assert ("coffee", "in", "cup") in triples(parser.parse("a cup of coffee on a saucer"))
    assert ("dog", "in", "painting") in triples(parser.parse("a painting of a dog"))


def test_possessive_pronouns_link_objects_without_becoming_objects(parser):
    g = parser.parse("an elephant touching a ball with its trunk")
    assert ("elephant", "have", "trunk") in triples(g)
    assert names(g) == ["elephant", "ball", "trunk"]
    g = parser.parse("a woman looking at her phone")
    assert {("woman", "have", "phone"), ("woman", "look at", "phone")} <= triples(g)  # the caption says both
    assert "her" not in names(g)


@pytest.mark.parametrize(("caption", "expected"), [
    ("A woman is holding a cat in her kitchen.", {("woman", "hold", "cat"), ("woman", "in", "kitchen"),
                                                  ("woman", "have", "kitchen")}),
    ("A toddler sits on a toilet while brushing his teeth.", {("toddler", "sit on", "toilet"),
                                                               ("toddler", "brush", "tooth"),
                                                               ("toddler", "have", "tooth")}),
    ("Three zebras munching on grass in their natural habitat.", {("zebra", "munch on", "grass"),
                                                                  ("zebra", "munch in", "habitat"),
                                                                  ("zebra", "have", "habitat")}),
])  # fmt: skip
def test_a_possessive_is_a_relation_also_beside_another(parser, caption, expected):
    assert triples(parser.parse(caption)) == expected


def test_group_piece_of(parser):
    g = parser.parse("a group of people standing on a hill")
    assert names(g) == ["people", "hill"]
    assert ("people", "stand on", "hill") in triples(g)
    g = parser.parse("a piece of cake on a plate")
    assert ("cake", "on", "plate") in triples(g)
    assert "piece" in obj(g, "cake").attributes
    assert obj(parser.parse("a pair of shoes"), "shoe").count == 2


def test_number_words_and_numerals(parser):
    assert obj(parser.parse("two dogs play in the park"), "dog").count == 2
    assert obj(parser.parse("three cats laying on a bed"), "cat").count == 3
    assert obj(parser.parse("12 eggs in a carton"), "egg").count == 12
    assert obj(parser.parse("both men have glasses"), "man").count == 2
    assert obj(parser.parse("a dog on a bed"), "dog").count is None


def test_relative_clauses(parser):
    g = parser.parse("a man who is riding a horse")
    assert triples(g) == {("man", "ride", "horse")}
    g = parser.parse("a dog that is brown")
    assert "brown" in obj(g, "dog").attributes
    g = parser.parse("the couch the person is sitting on")
    assert ("person", "sit on", "couch") in triples(g)


def test_coordination(parser):
    g = parser.parse("a man and a woman sitting on a bench")
    assert {("man", "sit on", "bench"), ("woman", "sit on", "bench")} <= triples(g)
    g = parser.parse("a curb between the sidewalk and the road")
    assert {("curb", "between", "sidewalk"), ("curb", "between", "road")} <= triples(g)
    g = parser.parse("a black and white dog")
    assert set(obj(g, "dog").attributes) == {"black", "white"}


def test_existential_there(parser):
    g = parser.parse("there are two dogs on the grass")
    assert names(g) == ["dog", "grass"]
    assert obj(g, "dog").count == 2
    assert ("dog", "on", "grass") in triples(g)
    g = parser.parse("there is a red ball under the table")
    assert ("ball", "under", "table") in triples(g)
    assert obj(g, "ball").attributes == ["red"]


def test_pronouns_are_not_objects(parser):
    g = parser.parse("he is holding it in his hand")
    assert all(n not in ("he", "it", "his", "they") for n in names(g))
    assert names(g) == ["hand"]
    assert names(parser.parse("someone in blue jeans")) == ["person", "jeans"]


def test_lemmatiser_fixes(parser):
    assert ("man", "ride", "horse") in triples(parser.parse("a man riding a horse"))
    assert ("boy", "sit on", "chair") in triples(parser.parse("a boy sitting on a chair"))
    assert ("woman", "wear", "jeans") in triples(parser.parse("a woman wearing jeans"))


def test_compound_names_and_noun_modifier_attributes(parser):
    g = parser.parse("a man holding a tennis racket")
    assert "tennis racket" in names(g)
    g = parser.parse("a boy with a hot dog")
    assert "hot dog" in names(g)
    g = parser.parse("a leather couch")
    assert obj(g, "couch").attributes == ["leather"]


def test_tagger_slips_and_body_parts(parser):
    assert ("faucet", "next to", "toilet") in triples(parser.parse("faucet next to toilet"))
    assert ("mirror", "on", "moped") in triples(parser.parse("mirrors on the moped"))
    assert ("bench", "on", "ground") in triples(parser.parse("bench on the ground ."))
    g = parser.parse("elephant leg is bent")
    assert ("elephant", "have", "leg") in triples(g) and obj(g, "leg").attributes == ["bent"]
    assert names(parser.parse("a man with a cell phone")) == ["man", "cellphone"]
    assert ("man", "swing", "bat") in triples(parser.parse("man swinging black bat"))


def test_adjective_with_preposition(parser):
    g = parser.parse("sky is blue with clouds")
    assert triples(g) == {("sky", "with", "cloud")} and obj(g, "sky").attributes == ["blue"]
    g = parser.parse("the giraffes are close to some trees")
    assert triples(g) == {("giraffe", "close to", "tree")} and obj(g, "giraffe").attributes == []


def test_adjective_hung_on_a_noun_modifier_belongs_to_the_head(parser):
    assert obj(parser.parse("the woman wears a red tank top"), "tank top").attributes == ["red"]
    assert set(obj(parser.parse("a big white plane wing"), "plane wing").attributes) >= {"big", "white"}


def test_locative_phrase_on_the_body_places_the_object(parser):
    g = parser.parse("man is wearing chains on his wrists")
    assert ("chain", "on", "wrist") in triples(g) and ("man", "wear", "chain") in triples(g)
    assert ("man", "sit on", "bench") in triples(parser.parse("a man is sitting on a bench"))


def test_clothing_in_means_wear(parser):
    assert ("man", "wear", "shirt") in triples(parser.parse("a man in a red shirt"))
    assert ("cat", "in", "box") in triples(parser.parse("a cat in a box"))


def test_attributes_adjectives_and_copula(parser):
    g = parser.parse("the old truck is rusty")
    assert set(obj(g, "truck").attributes) == {"old", "rusty"}
    g = parser.parse("a man in a dark blue shirt")
    assert obj(g, "shirt").attributes == ["dark blue"]


@pytest.mark.parametrize(("caption", "want", "not_want"), [
    # a participle or a 'who' clause the parse hung on a thing inside a prepositional phrase: the person or animal
    ("a dog sits on a step perking its ears up", ("dog", "perk", "ear"), ("step", "perk", "ear")),
    ("A bird perched on a branch eating an apple.", ("bird", "eat", "apple"), ("branch", "eat", "apple")),
    ("A young boy with an umbrella who is touching the horn of a cow.", ("boy", "touch", "horn"), None),
    ("a small child in a pink shirt running through a field", ("child", "run through", "field"), None),
    # ... but not through 'of', and not for what things do as well ('a kite flying')
    ("People walk by a display of underwear hanging in a stall.", None, ("people", "hang in", "stall")),
    ("A boy with a kite flying in the sky.", ("kite", "fly in", "sky"), ("boy", "fly in", "sky")),
    # 'looking at' keeps its verb ('looks' is a linking verb only with an adjective)
    ("Two people in a shop looking at a bike.", ("people", "look at", "bike"), ("people", "at", "bike")),
    ("A cat is laying inside of a box.", ("cat", "lay inside", "box"), None),
    # a scene's place where the one acting is
    ("A man holding a tennis racquet on a tennis court.", ("man", "on", "tennis court"),
     ("tennis racquet", "on", "tennis court")),
    ("Two dogs playing with a tennis ball in the yard.", ("dog", "in", "yard"), ("tennis ball", "in", "yard")),
    ("A woman in a kitchen at the sink holding a knife.", ("woman", "at", "sink"), ("kitchen", "at", "sink")),
    ("A man putting a pan in the kitchen.", None, ("man", "in", "kitchen")),
    # 'with X on it', 'snow covered', 'a woman hauling baggage' read as baggage's modifier
    ("A person holding a piece of broccoli with an insect on it.", ("insect", "on", "broccoli"), None),
    ("A herd of sheep near a fence on a snow covered ground.", ("snow", "cover", "ground"), None),
    ("an airport lobby with a woman hauling baggage", ("woman", "haul", "baggage"), None),
    ("a polar bear yawning while standing on a rock", ("bear", "stand on", "rock"), None),
    # a verb the tagger read as a noun at the root
    ("A small white dog climbs over a log.", ("dog", "climb over", "log"), None),
    ("A shaggy white sheep grazes in a field.", ("sheep", "graze in", "field"), None),
    ("Dogs fight in grass over toy.", ("dog", "fight in", "grass"), None),
    # the person, not the garment or thing coordinated beside them
    ("A man wearing a black shirt and a hat holding a bat.", ("man", "hold", "bat"), ("hat", "hold", "bat")),
    ("a desk with a monitor and a person holding a laptop", ("person", "hold", "laptop"),
     ("monitor", "hold", "laptop")),
    ("A person in a green jacket and black pants lifts a rock.", ("person", "wear", "pants"),
     ("pants", "lift", "rock")),
    ("a woman with glasses and a pink hat rides her bike", ("woman", "with", "hat"), ("hat", "ride", "bike")),
    ("A man is on skis with his dog next to him.", ("man", "with", "dog"), ("ski", "with", "dog")),
    ("A dog lying on its back in the sand.", ("dog", "in", "sand"), ("back", "in", "sand")),
    # 'it' is what the sentence is about; a 'with' of the background is no companion; 'while on'
    ("The laptop has an mp3 player next to it.", ("player", "next to", "laptop"), None),
    ("a kite flying high in the sky with leaves in the foreground", ("leaf", "in", "foreground"),
     ("kite", "fly with", "leaf")),
    ("A dog wears a tie while on the steps", ("dog", "on", "step"), ("dog", "wear on", "step")),
    ("A patio table with two plates of food and two bowls of salad.", ("salad", "in", "bowl"),
     ("salad", "in", "plate")),
    # who brushes and sits; where a trick is done, who is there; where 'putting' happens when 'into' says where to
    ("Baby brushing teeth while sitting on a toilet.", ("baby", "sit on", "toilet"), ("tooth", "sit on", "toilet")),
    ("A surfer doing a sharp turn in the water.", ("surfer", "in", "water"), ("turn", "in", "water")),
    ("A person putting doughnuts into a bag in a shop.", ("person", "in", "shop"), ("person", "put in", "shop")),
    ("Onlookers watch a dog climb steps on an obstacle course.", None, ("onlooker", "on", "obstacle course")),
    # garments by their singular ('jeans'), coordinated with a garment; wearing something somewhere
    ("A woman in jeans and a tank top is sitting on a bench.", ("woman", "wear", "tank top"),
     ("tank top", "in", "jeans")),
    ("A young girl wearing a bikini in an innertube.", ("girl", "in", "innertube"), ("girl", "wear in", "innertube")),
    ("The T-shirt worn by the man has a symbol on the back.", ("t-shirt", "wear by", "man"), None),
    # 'he', 'she', 'they' of a 'while' or 'as' clause are the main clause's people; a preposition read as an adverb
    ("The two girls hold hands while they skate on the ice.", ("girl", "skate on", "ice"), None),
    ("A man smiles while he washes windows.", ("man", "wash", "window"), None),
    ("A crowd of people walk down a busy sidewalk.", ("people", "walk down", "sidewalk"), None),
    # 'it', 'them', 'him' after a 'with' phrase; a 'with' on a garment; each noun's own 'with'; capitals
    ("A book sitting on a bed with a lamp next to it", ("lamp", "next to", "book"), ("book", "sit with", "lamp")),
    ("A briefcase on a bed with lots of items in them.", ("item", "in", "briefcase"), None),
    ("A guy jumps in the air with his skateboard beneath him.", ("skateboard", "beneath", "guy"), None),
    ("A man with a camera and an ice structure behind him.", ("structure", "behind", "man"),
     ("camera", "behind", "man")),
    ("a girl in a baseball uniform with a bat in her hands", ("girl", "with", "bat"), ("uniform", "with", "bat")),
    ("A sandy beach with waves and a parking lot with stairs.", ("parking lot", "with", "stairs"),
     ("beach", "with", "stairs")),
    ("SEVERAL PEOPLE STANDING NEAR A PARKING METER", ("people", "stand near", "parking meter"), None),
    ("A woman in a bathroom blow drying her hair.", ("woman", "dry", "hair"), None),
    # a posture is a thing's unless the thing is held, worn, a companion or no thing that sits
    ("Kids hovering over a pizza sitting on top of a cutting board.", ("pizza", "sit on top of", "cutting board"),
     ("kid", "sit on top of", "cutting board")),
    ("A male child holding a ball standing on the sidewalk.", ("male child", "stand on", "sidewalk"),
     ("ball", "stand on", "sidewalk")),
    ("A child in a black shirt standing on a wooden dock.", ("child", "stand on", "dock"),
     ("shirt", "stand on", "dock")),
    ("A young girl sits in front of a computer holding a phone.", ("girl", "hold", "phone"),
     ("computer", "hold", "phone")),
    ("A bathroom sink filled with medical supplies next to a bunch of scissors.",
     ("bathroom sink", "next to", "scissors"), ("bathroom sink", "fill next to", "scissors")),
    ("A sandwich with nachos and a salad on a plate.", ("salad", "on", "plate"), ("salad", "with", "nacho")),
    ("A couple of vehicles are side by side.", None, ("vehicle", "by", "side")),
    # what 'with' names is where the next phrase puts it
    ("A young boy sits at a table with his head in his hand.", ("head", "in", "hand"), ("boy", "sit in", "hand")),
    ("The man is lying on the sidewalk with one leg in the air.", ("leg", "in", "air"), ("man", "in", "air")),
    ("A man standing with his hands in his pockets.", ("hand", "in", "pocket"), ("man", "stand in", "pocket")),
    ("A small child sitting down with a plate of food on his lap.", ("plate", "on", "lap"),
     ("child", "sit down on", "lap")),
    # the vessel takes the posture, not what it holds; a room's thing, not the room
    ("A vase full of sunflowers sitting on a table.", ("vase", "sit on", "table"), ("sunflower", "sit on", "table")),
    ("A basket of apples sitting on the ground.", ("basket", "sit on", "ground"), ("apple", "sit on", "ground")),
    ("A plate with a sandwich sitting on a table.", ("plate", "sit on", "table"), ("sandwich", "sit on", "table")),
    # through a quantity noun: what "lots of" holds stands for it
    ("A pizza covered with lots of broccoli sitting on a kitchen counter.", ("pizza", "sit on", "kitchen counter"),
     ("broccoli", "sit on", "kitchen counter")),
    ("A bowl full of lots of fruit sitting on a table.", ("bowl", "sit on", "table"), ("fruit", "sit on", "table")),
    ("A bathroom with a toilet sitting next to a sink.", ("toilet", "sit next to", "sink"),
     ("bathroom", "sit next to", "sink")),
    ("Office cubicle with a backpack sitting on computer chair", ("backpack", "sit on", "computer chair"),
     ("office cubicle", "sit on", "computer chair")),  # no vessel: the backpack keeps its posture
    # an -ing word the tagger read as a noun after a noun is a participle; the noun is the object
    ("A man on a bicycle riding next to a train", ("man", "ride next to", "train"), ("man", "on", "riding")),
    ("A man talking on a phone standing behind a blue car.", ("man", "stand behind", "car"),
     ("man", "talk on", "standing")),
    ("A person on skateboard skating on the pavement.", ("person", "on", "skateboard"), ("person", "on", "skating")),
    # a participle on a participle has the first one's subject
    ("A train sitting parked at a station beside a platform.", ("train", "park at", "station"),
     ("station", "beside", "platform")),
    # a place after 'with' stays the owner's where no limb is placed
    ("A woman walking with an umbrella in the rain.", ("woman", "in", "rain"), None),  # no limb, nothing on the body
    ("A man standing with a surfboard on the beach.", ("man", "on", "beach"), None),
    ("A dog with big ears in the street.", ("dog", "in", "street"), None),  # ears stay where the dog is
    # a verb that moves its object gives the place to the object; a throw's "on" and a scene stay the doer's
    ("A baker is placing their goods inside a bag.", ("good", "inside", "bag"), ("baker", "inside", "bag")),
    ("A person putting doughnuts into a bag in a shop.", ("doughnut", "into", "bag"), ("person", "put into", "bag")),
    ("A man hanging a picture on the wall.", ("picture", "on", "wall"), ("man", "hang on", "wall")),
    ("A boy throws a ball into the water.", ("ball", "into", "water"), ("boy", "throw into", "water")),
    ("A boy throws a frisbee on the beach.", ("boy", "on", "beach"), ("frisbee", "on", "beach")),
    ("A woman laying on a bed.", ("woman", "lay on", "bed"), None),  # no object moved: she lies there
    # a verb with its own object stays out of a phrase of nearness; without an object or with a body part it stays
    ("A stuffed bear holding a bear umbrella next to a little stuffed bear", ("bear", "next to", "bear"),
     ("bear", "hold next to", "bear")),
    ("A man riding a bike in front of a tall building.", ("man", "in front of", "building"),
     ("man", "ride in front of", "building")),
    ("A dog sitting next to a man.", ("dog", "sit next to", "man"), ("dog", "next to", "man")),
    ("man holding red frisbee behind head .", ("man", "hold behind", "head"), ("man", "behind", "head")),
    # a garment right after the verb's object that can wear it is that one's
    ("A woman stands , holding a young girl in a denim dress .", ("girl", "wear", "dress"),
     ("woman", "hold in", "dress")),
    ("Three young people pose by a snowman in a red tie .", ("snowman", "in", "tie"), ("people", "pose in", "tie")),
    ("A woman takes a picture of a baby in a pink hat .", ("baby", "wear", "hat"), ("woman", "take in", "hat")),
])  # fmt: skip
def test_who_does_it_and_where(parser, caption, want, not_want):
    got = triples(parser.parse(caption))
    assert want is None or want in got, (caption, got)
    assert not_want is None or not_want not in got, (caption, got)


@pytest.mark.parametrize(("caption", "objects"), [
    ("a close up of a polar bear on a rock formation", ["polar bear", "formation"]),
    ("A picture of a dog on a couch.", ["dog", "couch"]),
    ("A full view of an open kitchen and dining area.", ["kitchen", "dining area"]),
    ("A small section of a bathroom with dim lighting.", ["bathroom", "lighting"]),
    ("A fleet of airplanes rest at their gates.", ["airplane", "gate"]),
    ("A young man holding a Frisbee in a throwing position.", ["man", "frisbee"]),
    ("A yellow fire hydrant in front of a tree.", ["fire hydrant", "tree"]),
    ("A brown teddy bear sitting by a cup.", ["teddy bear", "cup"]),
    ("An overview of traffic.", ["traffic"]),
    ("A black and white photo of a man doing a trick.", ["man", "trick"]),  # the framing's own words go with it
    ("Two images of open suitcases.", ["suitcase"]),
    ("A cartoon image of a fast food meal.", ["meal"]),
    ("this is a very dark picture of a room with a shelf", ["room", "shelf"]),
    ("A large open kitchen with an island in the middle", ["kitchen", "island"]),
])  # fmt: skip
def test_framing_quantifier_and_manner_nouns_are_no_objects(parser, caption, objects):
    g = parser.parse(caption)
    assert names(g) == objects
    assert all(a not in ("section", "full", "throwing", "fleet") for o in g.objects for a in o.attributes)


def test_a_picture_that_does_something_is_a_picture(parser):
    g = parser.parse("A picture of a cat hangs on the wall.")
    assert ("picture", "hang on", "wall") in triples(g)


@pytest.mark.parametrize(("caption", "name", "attributes"), [
    ("A bathroom with a walk-in closet.", "closet", ["walk-in"]),
    ("A black-and-white dog on a couch.", "dog", ["black", "white"]),  # parts the negatives can contrast
    ("A well-dressed man.", "man", ["well-dressed"]),
    ("A middle-aged man at a desk.", "man", ["middle-aged"]),  # a class word with a hyphen ("young" <-> it)
    ("A gray-haired woman.", "woman", ["gray-haired"]),
    ("A long-haired dog.", "dog", ["long-haired"]),  # the negatives contrast its first word ("short-haired")
    ("A man drives an old-fashioned red car.", "car", ["old-fashioned", "red"]),
    ("A man wearing multi-colored plastic jewelry.", "jewelry", ["multi-colored", "plastic"]),
    ("A blue-green car.", "car", ["blue", "green"]),
    ("A black and white dog.", "dog", ["black", "white"]),
])  # fmt: skip
def test_hyphenated_attributes_are_one_word(parser, caption, name, attributes):
    assert obj(parser.parse(caption), name).attributes == attributes


def test_a_microwave_oven_read_as_a_clause_is_one_object(parser):
    g = parser.parse("A kitchen with a microwave oven next to a stove.")
    assert ("microwave oven", "next to", "stove") in triples(g) and "oven" not in names(g)


def test_a_time_of_day_is_no_place(parser):
    g = parser.parse("A dog is panting on grass during a sunny day.")
    assert triples(g) == {("dog", "pant on", "grass")} and obj(g, "day").attributes == ["sunny"]


def test_a_number_after_its_noun_is_no_count(parser):
    assert obj(parser.parse("A city bus 18 parked in a red zone."), "city bus").count is None
    assert obj(parser.parse("18 buses parked in a red zone."), "bus").count == 18


def test_a_pair_of_scissors_is_one_and_a_couple_of_people_two(parser):
    assert obj(parser.parse("A pair of golden scissors on a desk."), "scissors").count is None
    assert obj(parser.parse("A pair of shoes on a desk."), "shoe").count == 2
    assert obj(parser.parse("A couple of people standing."), "people").count == 2


def test_empty_and_odd_inputs(parser):
    assert parser.parse("").is_empty()
    assert parser.parse("   ").is_empty()
    g = parser.parse("a dog 🐶 on a sofa \udcff")
    assert "dog" in names(g)
    long = "a dog on a mat and " * 600
    assert len(parser.parse(long).objects) > 0


def test_parse_batch_matches_parse(parser):
    texts = ["a cat on a mat", "", "two birds in a tree", "a man riding a horse"]
    batch = parser.parse_batch(texts, batch_size=2)
    assert [g.to_dict() for g in batch] == [parser.parse(t).to_dict() for t in texts]
    assert isinstance(parser.version, str) and "rules-" in parser.version


CORPUS = [
    "A man in a red shirt is riding a bicycle down the street.",
    "Two young girls are playing with a ball on the beach",
    "a black and white cat sleeping next to a laptop",
    "The T-shirts on the rack are for sale",
    "A group of people standing in front of a building with a sign",
    "a hot dog with mustard on a paper plate",
    "Someone's backpack leaning against the wall",
    "three children are jumping into the pool while their parents watch",
    "a woman's hands holding a cup of coffee",
    "Dogs, cats and birds 🐦 everywhere!",
    "a man talking on his cell phone next to an elephant's trunk",
    "elephant leg is bent",
]


def test_every_span_is_the_head_word(parser):
    from sgfns.text import lexicon

    for text, g in zip(CORPUS, parser.parse_batch(CORPUS), strict=True):
        g.validate(caption=text)
        for o in g.objects:
            assert o.span is not None
            head = text[o.span[0] : o.span[1]].lower()
            last = o.name.split()[-1]
            ok = (
                head == last
                or last in lexicon.morphy(head, "n")
                or head.endswith(last)  # "t-shirt"
                or last.endswith(head)  # "cell phone" -> WordNet's "cellphone", span "phone"
                or o.name == "person"  # "someone"
            )
            assert ok, (text, o.name, head)


def test_synthetic_world_constructions(parser):
    """Templated English of the synthetic world: spatial predicates in every wording, coordinated phrases."""
    cases = {
        "A pink egg is placed to the right of a black ring.": {("egg", "right of", "ring")},
        "there are two spotted balls to the left of a tent": {("ball", "left of", "tent")},
        "the plain bowl is on the right side of the striped ring": {("bowl", "right of", "ring")},
        "a green tent right of a brown kite": {("tent", "right of", "kite")},
        "a star is above a box and next to a ring": {("star", "above", "box"), ("star", "next to", "ring")},
        "a white box is above a pink bottle and to the left of a ring": {
            ("box", "above", "bottle"),
            ("box", "left of", "ring"),
        },
        "a black egg is above a bottle and right of a white moon": {
            ("egg", "above", "bottle"),
            ("egg", "right of", "moon"),
        },
        "a ring which is placed on top of a bowl": {("ring", "on top of", "bowl")},
        "a yellow bowl is positioned over a large brown bowl": {("bowl", "over", "bowl")},
        "a pink egg is to the right of a blue ring and below a tent": {
            ("egg", "right of", "ring"),
            ("egg", "below", "tent"),
        },
        "a dotted white tent is left of a big blue bottle and left of a plain pink star": {
            ("tent", "left of", "bottle"),
            ("tent", "left of", "star"),
        },
        "a green plate is to the left of a blue ball and right of a green kite": {
            ("plate", "left of", "ball"),
            ("plate", "right of", "kite"),
        },
        "A white ball is right of a little yellow box and right of a small white tent.": {
            ("ball", "right of", "box"),
            ("ball", "right of", "tent"),
        },
        "there is a little egg above a little blue kite": {("egg", "above", "kite")},
    }
    for text, want in cases.items():
        assert triples(parser.parse(text)) == want, text
    # spaCy attaches "little" oddly (pre-conjunct, npadvmod of another adjective); it still belongs to the noun
    for text in ("a little orange moon is below a big pink ball", "a little plain orange moon is over a ball"):
        assert "little" in obj(parser.parse(text), "moon").attributes, text
    assert "large" in obj(parser.parse("there is a large red tent right of a small pink plate"), "tent").attributes
    g = parser.parse("a kite that is red and striped")
    assert names(g) == ["kite"] and set(obj(g, "kite").attributes) == {"red", "striped"}
    g = parser.parse("A plate which is plain and purple.")
    assert names(g) == ["plate"] and set(obj(g, "plate").attributes) == {"plain", "purple"}
    g = parser.parse("a little yellow box and a big plain brown egg")
    assert set(obj(g, "box").attributes) == {"little", "yellow"}
    assert set(obj(g, "egg").attributes) == {"big", "plain", "brown"}


def test_synthetic_world_captions_parse_exactly(parser):
    """Captions generated by the synthetic world (another area's code: skipped when absent) parse to their
    ground-truth graphs, compared up to the world's synonym table."""
    np = pytest.importorskip("numpy")
    try:
        from sgfns.data.synth.captions import realize, sample_caption
        from sgfns.data.synth.gtgraph import caption_graph, graphs_equal
        from sgfns.data.synth.scene import relation_tensor, sample_scene
    except ImportError:
        pytest.skip("synthetic world not available")
    rng = np.random.default_rng(123)
    texts, gold = [], []
    for _ in range(300):
        placed = sample_scene(rng)
        rel = relation_tensor(placed.boxes().astype(np.float64), np.ones(len(placed.scene), dtype=bool))
        spec = sample_caption(rng, placed.scene, rel)
        real = realize(spec)
        texts.append(real.text)
        gold.append(caption_graph(spec, real))
    graphs = parser.parse_batch(texts)
    wrong = [t for t, g, p in zip(texts, gold, graphs, strict=True) if not graphs_equal(g, p.to_dict())]
    assert len(wrong) <= 6, wrong  # measured: 0-2 per 600 (spaCy mis-parses)


def _span_is_head_word(text: str, o) -> bool:
    from sgfns.text import lexicon

    head = text[o.span[0] : o.span[1]].lower()
    last = o.name.split()[-1]
    return (
        head == last
        or last in lexicon.morphy(head, "n")
        or head.endswith(last)  # "t-shirt"
        or last.endswith(head)  # "cell phone" -> WordNet's "cellphone", span "phone"
        or o.name == "person"  # "someone"
        or (head.endswith("s") and head[:-1] == last)  # plural of a word WordNet lacks
    )


def test_every_span_is_the_head_word_on_real_captions(parser, shared_data):
    """500 FACTUAL training captions and 300 Flickr30K captions: every span covers its object's head word."""
    import csv
    import random

    with open(shared_data / "factual" / "random_train.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = [r["caption"] for r in random.Random(7).sample(rows, 500)]
    f30k = shared_data / "flickr30k_sg" / "flickr30k_val_lowered_caps_data.joblib"
    if f30k.exists():
        from sgfns.data.safe_pickle import safe_load

        caps = safe_load(f30k)
        texts += [str(caps[k]["sent"]) for k in sorted(caps, key=str)[:300]]
    n_objects = 0
    for text, g in zip(texts, parser.parse_batch(texts), strict=True):
        g.validate(caption=text)
        for o in g.objects:
            n_objects += 1
            assert o.span is not None and _span_is_head_word(text, o), (text, o.name, o.span)
    assert n_objects > 800


@pytest.mark.parametrize(("caption", "expected"), [
    ("A kitchen with cabinets, a stove, microwave and refrigerator.",
     {("kitchen", "with", x) for x in ("cabinet", "stove", "microwave", "refrigerator")}),
    ("a bath room with a bath tub a toilet and a sink",
     {("bathroom", "with", x) for x in ("bathtub", "toilet", "sink")}),
    ("a corner bathroom with two sinks and a bathtub",
     {("corner bathroom", "with", "sink"), ("corner bathroom", "with", "bathtub")}),
])  # fmt: skip
def test_every_item_of_a_list_after_with_is_had(parser, caption, expected):
    assert expected <= triples(parser.parse(caption))


@pytest.mark.parametrize(("caption", "absent"), [
    ("A woman wearing black clothes, a purple scarf, and a pink hat is riding a bike.", ("scarf", "ride", "bike")),
    ("A person sits at a table in front of a sandwich on dark bread, a salad and cucumbers.",
     ("salad", "sit at", "table")),
    ("A sandy beach with waves and a parking lot with stairs to the beach.", ("beach", "with", "stair")),
])  # fmt: skip
def test_a_list_item_is_not_a_person_or_a_new_description(parser, caption, absent):
    assert absent not in triples(parser.parse(caption))


def test_a_phrase_on_a_framing_close_up_is_the_shown_things(parser):
    g = parser.parse("close up of broccoli on the end of fork tines")
    assert names(g) == ["broccoli", "fork tine"] and ("broccoli", "on end of", "fork tine") in triples(g)


@pytest.mark.parametrize(("caption", "triple"), [
    ("a kid riding on a skateboard on the cement", ("kid", "ride on", "skateboard")),
    ("A brown and black dog playing in the snow.", ("dog", "play in", "snow")),
    ("zebra grazing on grass", ("zebra", "graze on", "grass")),
])  # fmt: skip
def test_a_participle_the_tagger_read_as_the_head_noun_is_the_verb_of_the_noun_before_it(parser, caption, triple):
    g = parser.parse(caption)
    assert triple in triples(g) and not any(n.endswith("ing") for n in names(g))  # no object "riding"
    assert obj(parser.parse("A young woman tubing on water."), "woman").attributes == ["young"]


def test_people_named_by_what_they_do(parser):
    """'climber' is a plant in WordNet's first sense and 'kayaker', 'biker' are not in it at all: they are still
    people, who wear what they are in and have what is theirs."""
    assert ("climber", "wear", "shirt") in triples(parser.parse("a climber in a red shirt is secured by a rope"))
    g = parser.parse("a lone kayaker sits on the water with his paddle resting across his boat")
    assert {("kayaker", "have", "paddle"), ("kayaker", "have", "boat")} <= triples(g)
    assert ("biker", "in", "forest") in triples(parser.parse("a biker doing a jump in a forest"))


@pytest.mark.parametrize(("caption", "expected_triples", "name"), [
    ("A white toilet next to a walk in shower and a sink.", {("toilet", "next to", "shower"),
                                                              ("toilet", "next to", "sink")}, "shower"),
    ("A bathroom featuring a walk in shower, mirror, sink and toilet.",
     {("bathroom", "feature", n) for n in ("shower", "mirror", "sink", "toilet")}, "shower"),
    ("The view of a large bathroom with a walk in closet.", {("bathroom", "with", "closet")}, "closet"),
])  # fmt: skip
def test_a_walk_in_shower_without_its_hyphen_is_a_walk_in_shower(parser, caption, expected_triples, name):
    g = parser.parse(caption)
    assert triples(g) == expected_triples and "walk" not in names(g)
    assert obj(g, name).attributes == ["walk-in"]


def test_a_walk_in_a_park_is_still_a_walk(parser):
    assert ("man", "take", "walk") in triples(parser.parse("a man takes a walk in the park"))
    assert ("walk", "in", "snow") in triples(parser.parse("a dog on a walk in snow"))


@pytest.mark.parametrize(("caption", "expected"), [
    ("A refrigerator, oven and microwave sitting in a kitchen.",
     {("refrigerator", "sit in", "kitchen"), ("oven", "sit in", "kitchen"), ("microwave", "sit in", "kitchen")}),
    ("A kitchen has an island, icebox, and sink in it.",
     {("kitchen", "have", "island"), ("kitchen", "have", "icebox"), ("kitchen", "have", "sink")}),
    ("A man in a white shirt and sunglasses gazes into the horizon.", {("man", "wear", "sunglasses")}),
    # the list's first noun tagged as an adjective, yet the subject with an article and a colour of its own
    ("A white oven and a white refrigerator are in the kitchen.",
     {("oven", "in", "kitchen"), ("refrigerator", "in", "kitchen")}),
])  # fmt: skip
def test_a_listed_noun_tagged_as_a_verb_or_adjective_is_one_more_thing_of_the_list(parser, caption, expected):
    assert expected <= triples(parser.parse(caption))


@pytest.mark.parametrize(("caption", "expected", "thing"), [
    ("A woman in a sari rides on the back of a motorcycle.", ("woman", "ride on back of", "motorcycle"), "sari"),
    ("A girl in a dress runs across the field.", ("girl", "run across", "field"), "dress"),
])  # fmt: skip
def test_a_verb_read_as_a_plural_noun_after_a_noun_is_the_verb(parser, caption, expected, thing):
    g = parser.parse(caption)
    assert expected in triples(g) and thing in names(g) and "ride" not in names(g) and "run" not in names(g)


def test_a_plural_noun_after_a_noun_stays_a_noun_where_the_caption_has_its_verb_or_it_names_no_action(parser):
    assert "ski lift" in names(parser.parse("People on ski lifts above the snow."))
    g = parser.parse("A man in a suit walks down the street.")  # the tagger got it right: nothing to mend
    assert ("man", "walk down", "street") in triples(g) and "suit" in names(g)


def test_a_utensil_after_what_a_bowl_holds_is_the_bowls(parser):
    g = triples(parser.parse("A bowl of noodles, meat and broccoli with a fork."))
    assert ("bowl", "with", "fork") in g and not {("broccoli", "with", "fork"), ("noodle", "with", "fork")} & g
    # what is no utensil stays with the food it is on
    assert ("donut", "with", "sprinkle") in triples(parser.parse("A box of donuts with sprinkles."))


def test_a_noun_tagged_as_an_adjective_keeps_its_colour_and_adjectives_used_as_nouns_stay_out(parser):
    g = parser.parse("A white oven and a white refrigerator are in the kitchen.")
    assert obj(g, "oven").attributes == ["white"] and obj(g, "refrigerator").attributes == ["white"]
    # an adjective WordNet knows as one is not made a thing by its article ("the other", "the left")
    assert "other" not in names(parser.parse("one dog chases the other across a field"))


@pytest.mark.parametrize(("caption", "absent"), [
    ("a tan and white dog swimming towards a waterfall", "white"),  # a colour of a list of colours
    ("A man with a brown Mohawk and white shirt is wrapping his arm.", "white"),
])  # fmt: skip
def test_a_listed_colour_stays_a_colour(parser, caption, absent):
    assert absent not in names(parser.parse(caption))


@pytest.mark.parametrize(("caption", "expected"), [
    ("A red stop sign on a pole.", {("stop sign", "on", "pole")}),
    ("Two trains are parked on the train tracks", {("train", "park on", "train track")}),
    ("Food set out on an outdoor picnic table.", {("food", "set out on", "picnic table")}),
    # a place named by such a compound is still a place: the verb's own phrase does not take it
    ("A boy performing a kickflip on his skateboard on a city street.", {("boy", "on", "city street")}),
])  # fmt: skip
def test_a_compound_factual_keeps_whole_is_one_name(parser, caption, expected):
    g = parser.parse(caption)
    assert expected <= triples(g)
    assert "stop" not in {a for o in g.objects for a in o.attributes}


@pytest.mark.parametrize(("caption", "absent"), [
    ("A house under construction.", "construction"),
    ("A bathroom in the process of remodeling.", "remodeling"),
    ("A pastry is torn in half on a plate.", "half"),
    ("A bunch of fruit in varied sizes.", "size"),
    ("A room with clothes of many different colors.", "color"),
    ("A man on a beach with mountains in the distance.", "distance"),
    ("A group of sheep at a fence in winter.", "winter"),
])  # fmt: skip
def test_nouns_that_name_no_thing_are_no_objects(parser, caption, absent):
    assert absent not in names(parser.parse(caption))


def test_a_phrase_on_a_noun_that_names_no_thing_goes_to_its_governor(parser):
    assert ("flower", "at", "market") in triples(parser.parse("Flowers for sale at a market."))


@pytest.mark.parametrize(("caption", "expected"), [
    ("A blonde lady with sunglasses smiles.", ("lady", "with", "sunglasses")),  # "sunglasses smiles" one noun
    ("A woman wearing sunglasses smiles.", ("woman", "wear", "sunglasses")),  # both objects of "wearing"
    ("A man wearing a peace sign on his shirt smiles.", ("peace sign", "on", "shirt")),
    ("A man holds up a blue cloth and smiles.", ("man", "hold up", "cloth")),  # a verb of the list
    ("A blonde woman wearing sunglasses and dice earrings smiles .", ("woman", "wear", "dice earring")),  # as written
])  # fmt: skip
def test_the_captions_last_word_read_as_a_plural_noun_is_its_verb(parser, caption, expected):
    g = parser.parse(caption)
    assert expected in triples(g) and not {"smile", "smiles"} & set(names(g)), (caption, triples(g), names(g))


@pytest.mark.parametrize(("caption", "thing"), [
    ("An amusement park with carnival rides.", "carnival ride"),  # no doer: a park
    ("A beach with ocean waves.", "ocean wave"),  # not a verb of the list
    ("A man with cross country skis.", "cross country ski"),
    ("Two small children posing in ballet poses.", "ballet pose"),  # the verb is said already
])  # fmt: skip
def test_a_plural_noun_that_ends_the_caption_stays_a_thing(parser, caption, thing):
    assert thing in names(parser.parse(caption))


def test_a_second_object_of_a_preposition_in_ing_is_no_thing(parser):
    g = parser.parse("A biker jumps over a rock as another cyclist stands on the trail watching.")
    assert "watching" not in names(g) and ("cyclist", "stand on", "trail") in triples(g)
    assert "horseback riding" in names(parser.parse("a pair of people horseback riding"))  # an activity's name


@pytest.mark.parametrize(("caption", "noun", "attribute", "absent"), [
    ("A brown dog is running through neck-deep water.", "water", "neck-deep", "neck"),
    ("The Kiss-costumed adults are pushing strollers.", "adult", "kiss-costumed", "kiss"),
    ("A man in a neon-colored vest.", "vest", "neon-colored", "neon"),
    ("Two women on three-wheeled vehicles.", "vehicle", "three-wheeled", "wheeled vehicle"),
])  # fmt: skip
def test_a_hyphenated_adjective_that_starts_with_a_noun_is_one_attribute(parser, caption, noun, attribute, absent):
    g = parser.parse(caption)
    assert attribute in obj(g, noun).attributes and absent not in names(g), (caption, g)


def test_a_thing_that_covers_or_draws_stays_a_thing(parser):
    assert ("snow", "cover", "mountain") in triples(parser.parse("A skier on a snow-covered mountain."))
    assert "horse" in names(parser.parse("A man leading a horse-drawn wagon."))


@pytest.mark.parametrize(("caption", "noun", "relation"), [
    ("A person upside down on a water board.", "person", ("person", "on", "water board")),
    ("Two kids laying on a bed upside down", "kid", ("kid", "lay on", "bed")),
    ("A child is hanging upside down from a tree.", "child", ("child", "hang from", "tree")),
    ("An upside down cup on a table.", "cup", ("cup", "on", "table")),
])  # fmt: skip
def test_upside_down_is_an_attribute_of_what_is_upside_down(parser, caption, noun, relation):
    g = parser.parse(caption)
    assert "upside down" in obj(g, noun).attributes and relation in triples(g), (caption, g)
    assert not {"upside", "down"} & {a for o in g.objects for a in o.attributes}


@pytest.mark.parametrize(("caption", "want", "not_want"), [
    ("Two girls are posing for a picture on a boat.", ("girl", "pose on", "boat"), ("picture", "on", "boat")),
    ("Two bicyclists pose by a stream for a picture.", ("bicyclist", "pose by", "stream"),
     ("stream", "for", "picture")),  # the picture posed for is no thing (rules-42)
    ("Men posing for a photograph in front of a fountain.", ("man", "pose in front of", "fountain"), None),
])  # fmt: skip
def test_where_and_what_for_one_poses_are_the_posers(parser, caption, want, not_want):
    got = triples(parser.parse(caption))
    assert want in got and (not_want is None or not_want not in got), (caption, got)


@pytest.mark.parametrize(("caption", "want", "not_want"), [
    ("Two women sitting in the grass with their bikes behind them.", ("bike", "behind", "woman"), None),
    ("People kneel on the snow and raise their arms with mountains behind them.", ("mountain", "behind", "people"),
     ("mountain", "behind", "arm")),
    ("A man sleeping on a bench with a dog sitting next to him.", ("dog", "sit next to", "man"), None),
    # 'them' of one person is not that person; a singular place is not 'them'
    ("A man is walking on rocks with water flowing around them.", ("water", "flow around", "rock"),
     ("water", "flow around", "man")),
    ("Two girls sit on a path by a river with their bicycles parked beside them.", None,
     ("bicycle", "park beside", "river")),
])  # fmt: skip
def test_them_him_and_her_after_a_with_phrase(parser, caption, want, not_want):
    got = triples(parser.parse(caption))
    assert (want is None or want in got) and (not_want is None or not_want not in got), (caption, got)


@pytest.mark.parametrize(("caption", "want"), [
    ("Two boys wearing matching blue polo shirts strike a pose.", ("boy", "wear", "polo shirt")),
    ("Two girls in matching dresses .", ("girl", "wear", "dress")),  # as Flickr8k writes it
])  # fmt: skip
def test_matching_before_what_is_worn_is_its_adjective(parser, caption, want):
    g = parser.parse(caption)
    assert want in triples(g) and "matching" in obj(g, want[2]).attributes, (caption, g)


@pytest.mark.parametrize(("caption", "expected", "garment"), [
    ("A man in a heavy coat fishes from a concrete platform.", ("man", "fish from", "platform"), "coat"),
    ("A girl in a pink shirt slides down an inflatable slide.", ("girl", "slide down", "slide"), "shirt"),
    ("A toddler in a red toy car drinks from a juice cup.", ("toddler", "drink from", "juice cup"), None),
])  # fmt: skip
def test_a_verb_read_as_a_plural_noun_after_a_garment_is_the_verb(parser, caption, expected, garment):
    g = parser.parse(caption)
    assert expected in triples(g), (caption, triples(g))
    assert garment is None or garment in names(g)


def test_a_plural_noun_after_a_thing_that_is_no_garment_stays_a_noun(parser):
    assert "rain boot" in names(parser.parse("A boy in rain boots in a puddle."))


@pytest.mark.parametrize(("caption", "worn", "expected"), [
    ("A small girl wearing pink dances on the sidewalk.", "pink", ("girl", "dance on", "sidewalk")),
    ("A boy wearing black walks down the street.", "black", ("boy", "walk down", "street")),
])  # fmt: skip
def test_a_colour_worn_before_a_verb_read_as_its_noun_is_what_is_worn(parser, caption, worn, expected):
    got = triples(parser.parse(caption))
    assert ("girl" if "girl" in caption else "boy", "wear", worn) in got and expected in got, (caption, got)


def test_a_root_noun_coordinated_with_a_verb_is_a_verb(parser):
    g = parser.parse("A tri-colored dog jumps and catches a frisbee.")
    assert "dog" in names(g) and "jump" not in names(g) and ("dog", "catch", "frisbee") in triples(g)


@pytest.mark.parametrize(("caption", "person", "garment"), [
    ("A woman wearing a white hat and shirt is jogging down a street.", "woman", "shirt"),  # coordinated with her
    ("The girl in the blue dress and the baseball cap is sitting near the ocean.", "girl", "baseball cap"),
    ("A blonde boy wearing a blue life vest and camo shorts jumps off a board.", "boy", "shorts"),  # a 2nd subject
])  # fmt: skip
def test_a_garment_listed_after_the_wearers_garment_is_worn_and_does_not_act(parser, caption, person, garment):
    got = triples(parser.parse(caption))
    assert (person, "wear", garment) in got and not any(s == garment for s, _, _ in got), (caption, got)


def test_a_person_listed_after_a_garment_still_acts(parser):
    got = triples(parser.parse("A man in a hat and a woman are sitting on a bench."))
    assert ("woman", "sit on", "bench") in got and ("man", "wear", "hat") in got


@pytest.mark.parametrize(("caption", "want", "not_want"), [
    ("The girls are jumping into the air on the beach.", ("girl", "jump on", "beach"), ("air", "on", "beach")),
    ("A man is spinning a little girl in the air above his head.", ("girl", "above", "head"),
     ("air", "above", "head")),
    ("A dog is running through a creek with a stick in its mouth.", ("dog", "run with", "stick"),
     ("creek", "with", "stick")),
    # a thing the place has is the place's
    ("A dog is running through a field with a fence around it.", None, ("dog", "run with", "fence")),
])  # fmt: skip
def test_a_place_said_of_the_air_or_a_thing_held_in_a_mouth_belongs_to_the_doer(parser, caption, want, not_want):
    got = triples(parser.parse(caption))
    assert (want is None or want in got) and not_want not in got, (caption, got)


@pytest.mark.parametrize(("caption", "want", "attrs"), [
    ("A black and white dog chases a pink Frisbee .", ("dog", "chase", "frisbee"), ["black", "white"]),  # as written
    ("A tan and white dog standing near green plants.", ("dog", "stand near", "plant"), ["tan", "white"]),
    ("The little girl swings in the backyard.", ("girl", "swing in", "backyard"), ["little"]),
])  # fmt: skip
def test_a_dog_with_listed_colours_is_the_doer(parser, caption, want, attrs):
    g = parser.parse(caption)
    assert want in triples(g) and obj(g, want[0]).attributes == attrs, (caption, g)


def test_a_verb_after_its_doer_ends_the_caption(parser):
    g = parser.parse("A tan dog runs.")
    assert names(g) == ["dog"] and obj(g, "dog").attributes == ["tan"]
    assert "train track" in names(parser.parse("The train tracks in the city."))  # no doer: a thing


@pytest.mark.parametrize(("caption", "want"), [
    ("A tan dog wearing a red shirt runs through the grass .", ("dog", "run through", "grass")),  # 2nd object
    ("A dog shakes off water", ("dog", "shake off", "water")),  # a particle with an object
    ("A woman with a helmet riding a bike .", ("woman", "ride", "bike")),  # a participle after "with"
])  # fmt: skip
def test_the_verb_a_parse_hides_in_an_object_or_particle(parser, caption, want):
    got = triples(parser.parse(caption))
    assert want in got, (caption, got)


@pytest.mark.parametrize(("caption", "want", "gone"), [
    ("A man walks at night.", [], "night"),  # a time of day is no thing in the photo
    ("A dog runs on the beach in the evening.", [("dog", "run on", "beach")], "evening"),
    ("Two girls pose for a picture on a boat.", [("girl", "pose on", "boat")], "picture"),  # nor the posed-for one
    ("The bicyclists pose by a stream for a picture.", [("bicyclist", "pose by", "stream")], "picture"),
])  # fmt: skip
def test_a_time_of_day_or_the_picture_one_poses_for_is_no_thing(parser, caption, want, gone):
    g = parser.parse(caption)
    assert gone not in names(g) and all(w in triples(g) for w in want), (caption, g)


@pytest.mark.parametrize(("caption", "kept"), [
    ("People gather at sunset on the beach.", "sunset"),  # its sky is seen
    ("A dog runs on the beach on a sunny day.", "day"),  # and its light
    ("A woman takes a picture of her friend.", "picture"),  # taken, not posed for
    ("A family posing for the camera.", "camera"),
])  # fmt: skip
def test_a_sunset_a_sunny_day_a_picture_taken_and_a_camera_stay_things(parser, caption, kept):
    assert kept in names(parser.parse(caption))


@pytest.mark.parametrize(("caption", "want", "gone"), [
    ("A lady and a man with no shirt sit on a dock.", [("man", "sit on", "dock")], "shirt"),  # absent: no relation
    ("A man without a shirt is walking on top of rocks.", [("man", "walk on top of", "rock")], "shirt"),
    ("A boy wearing no shirt and blue jeans is jumping.", [("boy", "wear", "jeans")], "shirt"),
    ("A man with no shirt on skateboard.", [("man", "on", "skateboard")], "shirt"),  # the phrase is the man's
])  # fmt: skip
def test_what_a_caption_says_is_absent_is_no_thing(parser, caption, want, gone):
    g = parser.parse(caption)
    assert gone not in names(g) and all(w in triples(g) for w in want), (caption, triples(g))


def test_a_no_parking_sign_is_a_sign(parser):
    assert ("parking sign", "on", "pole") in triples(parser.parse("A no parking sign on a pole."))


@pytest.mark.parametrize(("caption", "want"), [
    ("A girl in a blue dress walks through a crowd.", ("girl", "walk through", "crowd")),  # "dress walks" one noun
    ("Black dog paddles through the water .", ("dog", "paddle through", "water")),  # the doer parsed as a modifier
    ("Two dogs wrestle in the ground .", ("dog", "wrestle in", "ground")),  # the verb parsed as a noun
    ("Two people talk on a bench .", ("people", "talk on", "bench")),  # (a guard: right before)
    ("A dog is shaking after coming out of the water.", ("dog", "come out of", "water")),  # a clause after "after"
    ("A boy eats after playing in the park.", ("boy", "play in", "park")),
    ("Children sit and watch the fish moving in the pond.", ("child", "watch", "fish")),  # what is seen doing
    ("Two dogs in a room are playing , one is catching a ball .", ("dog", "catch", "ball")),  # one of the dogs
    ("Three elderly women , two with canes , walk through a parking lot .", ("woman", "with", "cane")),
    # rules-45: a phrase whose noun the parse hung on the verb, a plural verb read as an object, "Boy" an interjection
    ("a person with a long ponytail walks along a waterway under a tunnel", ("person", "with", "ponytail")),
    ("Two young girls with dyed hair talk to two boys .", ("girl", "talk to", "boy")),
    ("Boy climbing a rock wall .", ("boy", "climb", "wall")),
    ("Boy and girl running along the beach .", ("boy", "run along", "beach")),
])  # fmt: skip
def test_a_relation_the_parse_hid(parser, caption, want):
    got = triples(parser.parse(caption))
    assert want in got, (caption, got)


def test_a_garment_sharing_the_article_of_the_thing_before_it_is_worn(parser):
    g = parser.parse("A little girl with a red hood and shirt is sitting on a rock.")
    got = triples(g)
    assert ("girl", "with", "shirt") in got and not any(s == "shirt" for s, _, _ in got), got


@pytest.mark.parametrize(("caption", "want", "gone"), [
    ("A child is holding an armful of snow .", ("child", "hold", "snow"), "armful"),  # how much, not a thing
    ("Children play under a spray of water .", ("child", "play under", "water"), "spray"),
    ("The kids sit in a small tub of water .", ("tub", "have", "water"), None),  # a vessel holds it
])  # fmt: skip
def test_an_amount_of_a_substance_is_the_substance(parser, caption, want, gone):
    g = parser.parse(caption)
    assert want in triples(g) and (gone is None or gone not in names(g)), (caption, triples(g))


def test_a_horse_race_is_a_thing(parser):
    assert names(parser.parse("A horse race .")) == ["horse race"]


def test_waves_crash_not_the_bird_beside_them(parser):
    got = triples(parser.parse("A bird standing on a rock with waves crashing in the background ."))
    assert ("wave", "crash in", "background") in got and ("bird", "crash in", "background") not in got, got


@pytest.mark.parametrize(("caption", "want", "gone"), [
    ("Two skiers are making their way through woodland .", [("skier", "make way through", "woodland")], "way"),
    ("The riders are taking a break on the trail .", [], "break"),  # what one does, no thing
    ("A woman rides her bike down the street in the fall .", [("woman", "ride down", "street")], "fall"),  # a season
])  # fmt: skip
def test_a_light_verbs_object_and_a_season_are_no_things(parser, caption, want, gone):
    g = parser.parse(caption)
    assert gone not in names(g) and all(w in triples(g) for w in want), (caption, triples(g))


def test_a_colour_before_a_plural_noun_is_no_doer(parser):
    g = parser.parse("two white rings and a white star")  # "rings" is a verb too, "White" a person in WordNet
    assert obj(g, "ring").attributes == ["white"] and obj(g, "ring").count == 2, g


@pytest.mark.parametrize(("caption", "name", "attribute"), [
    ("A girl is standing barefoot on the railroad tracks", "girl", "barefoot"),  # how the doer is
    ("a young baby sucking a Binky asleep in a chair .", "baby", "asleep"),
    ("A little girl is sitting on a rock , her mouth open .", "mouth", "open"),  # how a body part is
    ("A big brown dog is jumping in the water and has his mouth wide open .", "mouth", "open"),
])  # fmt: skip
def test_a_state_said_after_the_doer_or_its_body_part(parser, caption, name, attribute):
    g = parser.parse(caption)
    assert attribute in obj(g, name).attributes, (caption, g)


def test_a_body_part_seen_is_not_seen_looking(parser):
    g = parser.parse("A pavement where a person foot are seen having skates.")  # how the photo shows it
    assert "seen" not in obj(g, "foot").attributes, g


@pytest.mark.parametrize(("caption", "want", "not_want"), [
    ("Girl in pink shirt with white writing lying in grass .", ("shirt", "with", "writing"),
     ("girl", "with", "writing")),
    ("A smiling bearded man wears a shirt with an orange peace sign", ("shirt", "with", "peace sign"),
     ("man", "wear with", "peace sign")),
    ("A man in a suit with a briefcase .", ("man", "with", "briefcase"), ("suit", "with", "briefcase")),  # a guard
    ("People walk by a display of underwear .", ("display", "have", "underwear"), ("underwear", "have", "display")),
])  # fmt: skip
def test_what_is_printed_on_a_garment_is_the_garments(parser, caption, want, not_want):
    got = triples(parser.parse(caption))
    assert want in got and not_want not in got, (caption, got)


@pytest.mark.parametrize(("caption", "name", "attributes"), [
    # a noun modifier that says which kind of thing it is, what it is for or where it belongs is part of its name
    ("The boy is wearing a white baseball uniform.", "baseball uniform", ["white"]),
    ("A person in a safety vest pushing a truck.", "safety vest", []),
    ("A dog is coming out of the ocean water.", "ocean water", []),
    ("A man stands next to computer gambling machines.", "computer gambling machine", []),  # a noun on a noun
    ("A woman holds a water bottle.", "water bottle", []),
    ("A man carries a pizza box.", "pizza box", []),
    # what is true of the thing itself stays an attribute: a material, pattern, ingredient, age, toy, time
    ("A boy climbing a rock wall.", "wall", ["rock"]),
    ("A kitchen with wood cabinets.", "cabinet", ["wood"]),
    ("A boy in camo shorts.", "shorts", ["camo"]),
    ("A baby elephant walks.", "elephant", ["baby"]),
    ("A toy car on the floor.", "car", ["toy"]),
    ("A cheese pizza on a plate.", "cheese pizza", []),  # WordNet's own compound
    ("A strawberry cake on a plate.", "cake", ["strawberry"]),
    ("A mushroom pizza on a plate.", "pizza", ["mushroom"]),
    ("The night sky over a city.", "sky", ["night"]),
])  # fmt: skip
def test_a_noun_modifier_that_names_a_kind_is_part_of_the_name(parser, caption, name, attributes):
    g = parser.parse(caption)
    assert obj(g, name).attributes == attributes, (caption, g)


def test_a_body_part_is_named_by_its_owner_not_by_a_kind(parser):
    assert ("elephant", "have", "leg") in triples(parser.parse("An elephant leg in the mud."))


@pytest.mark.parametrize(("caption", "expected"), [
    ("People with a dog hike up a green mountain .", {("people", "hike up", "mountain"), ("people", "with", "dog")}),
    ("A man and child kayak through gentle waters .", {("man", "kayak through", "water"),
                                                      ("child", "kayak through", "water")}),
    ("A man in an orange vest leans over a pickup truck .", {("man", "wear", "vest"),
                                                             ("man", "lean over", "pickup truck")}),
    ("A girl in a dress with pink flowers swings on a red swing .", {("girl", "with", "flower"),
                                                                     ("girl", "swing on", "swing")}),
    ("A man wearing blue climbs a steep cliff .", {("man", "wear", "blue"), ("man", "climb", "cliff")}),
    ("A boy wearing brown swings in a playground .", {("boy", "wear", "brown"), ("boy", "swing in", "playground")}),
])  # fmt: skip
def test_a_verb_read_as_a_noun_is_read_again_as_the_verb(parser, caption, expected):
    g = parser.parse(caption)
    assert expected <= triples(g), (caption, g.triples())
    assert not any(" " in n and n.split()[-1] in ("hike", "kayak", "leans", "swings", "climbs") for n in names(g))


@pytest.mark.parametrize(("caption", "kept"), [
    ("Vendor selling drinks in a stall .", ("vendor", "sell", "drink")),  # what a verb acts on
    ("Some children watching fish in a pool .", ("child", "watch", "fish")),
    ("Four boys doing a cannonball jump in unison into the pool .", ("boy", "do", "cannonball jump")),
    ("Two girls on the shore watch people in a boat fish .", ("girl", "watch", "people")),  # the clause's verb
])  # fmt: skip
def test_a_noun_that_could_be_a_verb_stays_a_noun_where_the_clause_has_its_verb(parser, caption, kept):
    assert kept in triples(parser.parse(caption)), caption


def test_a_caption_is_parsed_twice_only_where_a_verb_was_read_as_a_noun(parser):
    from sgfns.graphs.parser.rules import reread
    from sgfns.graphs.parser.rules.parsed import Parsed

    assert reread.candidate(Parsed(parser.nlp("A man with trash bags walks on the street ."))) is None
    assert reread.candidate(Parsed(parser.nlp("A dog toy on the floor ."))) is None
    found = reread.candidate(Parsed(parser.nlp("Two girls sit while a man in the background fishes")))
    assert found is not None and found[0].text == "fishes" and found[1] == "VBZ"


def test_whilst_is_read_as_while(parser):
    g = parser.parse("a child is doing a back flip whilst jumping on a trampoline .")
    assert ("child", "jump on", "trampoline") in triples(g)
    g = parser.parse("A boy is smiling whilst standing in front of a swimming pool .")
    assert ("boy", "stand in front of", "swimming pool") in triples(g)
    assert obj(g, "boy").span == (2, 5)  # the caption's own offsets


@pytest.mark.parametrize(("caption", "name", "triple"), [
    ("A child is jumping into a pool while a man is watching the child", "child", ("man", "watch", "child")),
    ("a boy caches a fish while a girl points at the fish .", "fish", ("girl", "point at", "fish")),
    ("A brown dog with a leash is running with a person behind the dog .", "dog", ("person", "behind", "dog")),
])  # fmt: skip
def test_a_thing_named_again_with_the_is_the_same_thing(parser, caption, name, triple):
    g = parser.parse(caption)
    assert names(g).count(name) == 1, g.objects
    assert triple in triples(g)


@pytest.mark.parametrize("caption", [
    "A man in red talks to the man in blue .",  # a phrase of its own: another man
    "The man on the left talks to the man on the right .",  # both named with "the"
    "A black dog runs past the other dog .",
])  # fmt: skip
def test_a_thing_named_again_is_another_where_the_caption_says_so(parser, caption):
    assert names(parser.parse(caption)).count("dog" if "dog" in caption else "man") == 2


@pytest.mark.parametrize(("caption", "kept"), [
    ("A smiling boy swims underwater in a pool .", ("boy", "in", "pool")),
    ("A scuba diver holds up a small lobster underwater .", ("scuba diver", "hold up", "lobster")),
    ("The hiker is following a trail uphill .", ("hiker", "follow", "trail")),
    ("A young boy going headfirst down a slide .", ("boy", "go down", "slide")),
])  # fmt: skip
def test_an_adverb_read_as_a_noun_is_no_object(parser, caption, kept):
    g = parser.parse(caption)
    assert kept in triples(g), g.triples()
    assert not any(w in n for n in names(g) for w in ("underwater", "uphill", "headfirst")), names(g)
