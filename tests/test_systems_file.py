"""`--systems systems.yaml`: the issue's file parses; every mistake names the file and its line."""
import pytest

from evalkit.systems_file import (SystemSpec, SystemsFileError, finetuned_name, from_names,
                                  is_systems_file, load_systems_file, with_defaults)

ISSUE_FILE = """\
# systems.yaml — one entry per system
zero-shot:      {model: smollm2-135m}
fine-tuned:     {model: smollm2-135m, adapter: runs/support-v1}
big few-shot:
  endpoint: https://api.example.com/v1/
  model: some-large-model
  api_key_env: EXAMPLE_API_KEY
  prompt: few-shot
  k: 3
  price: {prompt_per_1m: 0.15, completion_per_1m: 0.60}
vllm fine-tuned:
  endpoint: http://gpu-box:8000/v1
  model: support-v1
  prompt: zero-shot
  system_prompt: "आप एक सहायता डेस्क एजेंट हैं। Answer in Hinglish if asked."
"""


def write(tmp_path, text, name="systems.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issue_file_parses(tmp_path):
    specs = load_systems_file(write(tmp_path, ISSUE_FILE))
    assert [s.name for s in specs] == ["zero-shot", "fine-tuned", "big few-shot", "vllm fine-tuned"]
    big = specs[2]
    assert big.is_endpoint and big.endpoint == "https://api.example.com/v1" and big.prompt == "few-shot"
    assert big.price == {"prompt_per_1m": 0.15, "completion_per_1m": 0.60} and big.k == 3
    assert big.api_key_env == "EXAMPLE_API_KEY" and big.line == 4
    assert str(specs[1].adapter) == "runs/support-v1" and not specs[1].is_endpoint
    assert specs[3].system_prompt.startswith("आप एक") and specs[3].prompt == "zero-shot"
    assert finetuned_name(specs) == "fine-tuned"
    assert "EXAMPLE_API_KEY" in str(big.describe()) and is_systems_file(str(tmp_path / "systems.yaml"))


@pytest.mark.parametrize("text, line, words", [
    (ISSUE_FILE.replace("  k: 3\n", "  k: 3\n  max_tokens: 64\n"), 10, "unknown key 'max_tokens'"),
    (ISSUE_FILE.replace("  k: 3\n", "  k: 0\n"), 9, "k must be an integer"),
    (ISSUE_FILE.replace("prompt: few-shot", "prompt: fewshot"), 8, "prompt must be one of"),
    (ISSUE_FILE.replace("completion_per_1m: 0.60", "completion_per_1k: 0.60"), 10, "price must be"),
    (ISSUE_FILE.replace("http://gpu-box:8000/v1", "gpu-box:8000"), 12, "http(s) URL"),
    (ISSUE_FILE.replace("  model: support-v1\n", ""), 11, "needs model"),
    (ISSUE_FILE.replace("  model: support-v1\n", "  model: support-v1\n  adapter: runs/x\n"), 11,
     "adapter: is for local systems"),
    (ISSUE_FILE.replace("{model: smollm2-135m}", "{model: smollm2-135m, price: {prompt_per_1m: 1}}"), 2,
     "for endpoint systems"),
    (ISSUE_FILE + "zero-shot: {model: other}\n", 16, "appears twice"),
    (ISSUE_FILE.replace("  k: 3\n", "  k: [3\n"), 10, "not valid YAML"),
])
def test_a_mistake_names_the_file_and_line(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(SystemsFileError) as caught:
        load_systems_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: ") and words in message and "\n" not in message


@pytest.mark.parametrize("text", ["", "- zero-shot\n- rag\n", "zero-shot: smollm2-135m\n"])
def test_a_file_of_the_wrong_shape_is_refused(tmp_path, text):
    with pytest.raises(SystemsFileError, match="systems.yaml"):
        load_systems_file(write(tmp_path, text))


def test_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(SystemsFileError, match="cannot read"):
        load_systems_file(tmp_path / "nope.yaml")


def test_the_comma_list_is_the_short_form(tmp_path):
    specs = from_names("zero-shot,few-shot,fine-tuned", tmp_path / "runs" / "v1")
    assert [(s.name, s.prompt, s.adapter is not None) for s in specs] == [
        ("zero-shot", "zero-shot", False), ("few-shot", "few-shot", False), ("fine-tuned", "zero-shot", True)]
    filled = with_defaults(specs + [SystemSpec("api", endpoint="http://h/v1", model="m")],
                           "smollm2-135m", 5, None, "be brief")
    assert [s.model for s in filled] == ["smollm2-135m"] * 3 + ["m"]      # an endpoint keeps its own
    assert {s.k for s in filled} == {5} and {s.system_prompt for s in filled} == {"be brief"}
    assert not is_systems_file("zero-shot,few-shot")
