"""Column maps from the recipe and --map: validated, carried as a spec, and suggested."""
import pytest

from curate.columns import ColumnMapError, parse_map, parse_spec, spec, suggest
from curate.schemas import FileSchema


def test_parse_map_from_the_flag_and_the_recipe():
    assert parse_map("prompt=dialogue, completion=summary") == {"prompt": "dialogue", "completion": "summary"}
    assert parse_map({"label": "topic", "prompt": "Input"}) == {"prompt": "Input", "label": "topic"}
    for bad, match in (("prompt", "target=column"), ("query=text", "unknown target 'query'"),
                       ({"prompt": 3}, "needs a column name"), ("context=passage", "need a prompt")):
        with pytest.raises(ColumnMapError, match=match):
            parse_map(bad)


def test_spec_round_trips_and_a_label_only_map_keeps_detection():
    assert parse_spec(spec(None, {"prompt": "dialogue", "label": "topic"})) == (
        "columns", {"prompt": "dialogue", "label": "topic"})
    assert parse_spec(spec(None, {"label": "intent_name"})) == (None, {"label": "intent_name"})
    mapper = FileSchema("x.jsonl", spec(None, {"label": "intent_name"}))
    record = mapper({"text": "kal ka statement bhejo", "intent_name": "statement"}, 1, "{}")
    assert record.label == "statement" and mapper.schema == "text;label=intent_name"


def test_suggest_guesses_from_column_names():
    assert suggest(["id", "dialogue", "summary", "topic"]) == {
        "prompt": "dialogue", "completion": "summary", "label": "topic"}
    assert suggest(["Frage", "Antwort"]) == {"prompt": "Frage"}
