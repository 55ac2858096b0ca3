import json

import pytest

from curate.passes import DEFAULT_ORDER
from curate.passes.base import RecipeError
from curate.recipe import Recipe, load_recipe


def _write(tmp_path, text):
    path = tmp_path / "recipe.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_recipe_means_every_pass_on_with_defaults():
    recipe = load_recipe()
    assert recipe == Recipe()
    assert recipe.enabled() == DEFAULT_ORDER          # PII included: privacy is the default


def test_issue_example_recipe(tmp_path):
    path = _write(tmp_path, """
seed: 7
skip: [pii]
schema: alpaca
workers: 2
passes:
  language: {allow: [en, hi]}
  split: {ratios: [0.8, 0.1, 0.1], by: label}
  template: {format: chatml}
""")
    recipe = load_recipe(path)
    assert (recipe.seed, recipe.skip, recipe.schema, recipe.workers) == (7, ("pii",), "alpaca", 2)
    assert recipe.passes["split"] == {"ratios": [0.8, 0.1, 0.1], "by": "label"}
    assert "pii" not in recipe.enabled()
    resolved = recipe.to_dict()
    assert json.loads(json.dumps(resolved)) == resolved      # serialisable for the manifest
    assert list(resolved["passes"]) == ["language", "split", "template"]   # default order


def test_command_line_overrides(tmp_path):
    path = _write(tmp_path, "seed: 7\nskip: [pii]\nworkers: 4\npasses:\n  language: {min_prob: 0.8}\n")
    recipe = load_recipe(path, seed=3, skip="dedup_near,pii", lang="en,hi", workers=1)
    assert recipe.seed == 3 and recipe.workers == 1
    assert recipe.skip == ("pii", "dedup_near")                # replaced, in default order
    assert recipe.passes["language"] == {"min_prob": 0.8, "allow": ["en", "hi"]}


def test_unknown_top_level_key_names_it_and_the_valid_ones(tmp_path):
    path = _write(tmp_path, "sed: 7\n")
    with pytest.raises(RecipeError) as e:
        load_recipe(path)
    assert "unknown key 'sed'" in str(e.value)
    assert "valid keys: seed, skip, schema, columns, passes, workers" in str(e.value)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("text, message", [
    ("passes:\n  langauge: {allow: [en]}\n", "unknown pass 'langauge'; valid passes: html"),
    ("skip: [pi]\n", "unknown pass 'pi'"),
    ("schema: csv\n", "unknown schema 'csv'"),
    ("workers: 0\n", "workers must be a positive integer"),
    ("seed: seven\n", "seed must be an integer"),
    ("passes:\n  split: 0.8\n", "options of pass 'split' must be a mapping"),
    ("- seed\n", "a recipe is a mapping"),
    ("passes: {split: [\n", "invalid YAML"),
])
def test_recipe_errors_are_one_line(tmp_path, text, message):
    with pytest.raises(RecipeError) as e:
        load_recipe(_write(tmp_path, text))
    assert message in str(e.value) and "\n" not in str(e.value)
    assert str(tmp_path / "recipe.yaml") in str(e.value)


def test_unknown_pass_option_surfaces_when_passes_are_built(tmp_path):
    recipe = load_recipe(_write(tmp_path, "passes:\n  split: {ratio: [0.5, 0.5]}\n"),
                         skip=[n for n in DEFAULT_ORDER if n != "split"])
    with pytest.raises(RecipeError, match="pass 'split': unknown option"):
        recipe.build_passes()


def test_skip_via_command_line_is_validated():
    with pytest.raises(RecipeError, match="--skip: unknown pass 'dedupe'"):
        load_recipe(skip="dedupe")


def test_missing_recipe_file(tmp_path):
    with pytest.raises(RecipeError, match="cannot read recipe"):
        load_recipe(tmp_path / "nope.yaml")


def test_empty_recipe_file_is_the_default(tmp_path):
    assert load_recipe(_write(tmp_path, "# nothing yet\n")).enabled() == DEFAULT_ORDER
