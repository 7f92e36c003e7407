"""Folding and the cross-language concept lexicon that the classifier sees."""

from __future__ import annotations

from knowledge import textnorm


def test_folding_joins_spellings_people_type_on_foreign_keyboards():
    assert textnorm.words("MUAFİYET muafıyet") == ["muafiyet", "muafiyet"]
    assert textnorm.words("isenção isencao") == ["isencao", "isencao"]
    assert textnorm.words("إعفاء اعفاء") == ["اعفاء", "اعفاء"]


def test_arabic_articles_and_clitics_are_stripped_and_digits_read():
    assert textnorm.words("والامتحان بالبلدية ١٢") == ["امتحان", "بلديه", "12"]


def test_a_dutch_loanword_glued_to_an_arabic_article_is_split_off():
    assert "gemeente" in textnorm.words("الgemeente")


def test_one_concept_token_for_the_same_idea_in_every_language():
    lexicon = textnorm.Lexicon({"exemption": {"nl": ["vrijstelling"], "tr": ["muafiyet"], "ar": ["اعفاء"],
                                              "pt": ["isenção"]}})
    for text in ("krijg ik vrijstelling", "muafiyetim var mı", "هل يمكنني الحصول على إعفاء", "tenho isenção"):
        assert lexicon.concepts(textnorm.words(text)) == ["exemption"], text


def test_short_words_count_only_in_their_own_language():
    lexicon = textnorm.Lexicon({"money_cost": {"tr": ["para"]}})
    assert lexicon.concepts(["para", "yok"], "tr") == ["money_cost"]
    assert lexicon.concepts(["para", "que"], "pt") == []  # "para" is "for" in Portuguese


def test_the_shipped_lexicon_tags_the_same_topic_word_in_five_languages():
    tagged = [textnorm.analyse(t, lang) for t, lang in (
        ("hoe hoog is de boete", "nl"), ("how much is the fine", "en"), ("ceza ne kadar", "tr"),
        ("كم الغرامة", "ar"), ("qual o valor da multa", "pt"))]
    shared = set.intersection(*[{w for w in t.split() if w.startswith(textnorm.CONCEPT_PREFIX)} for t in tagged])
    assert shared, tagged
