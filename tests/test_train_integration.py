"""The real SmolLM2-135M (the `smollm2-135m` alias): a few LoRA steps lower the validation loss.

First run de-quantizes the GGUF into the user cache (~20 s); later runs load it in about a second.
"""
import json

import pytest
from _train_util import PAIRS, write_clean

pytestmark = pytest.mark.integration

# A small support-desk set the base model cannot already answer word for word.
TRAIN = PAIRS + [
    ("Where is my new card?", "Cards arrive within 5 working days; track it under Cards > Status."),
    ("Paisa transfer nahi hua", "Transfer 24 ghante mein pura ho jayega, ticket TKT-1 dekhiye."),
    ("मेरा कार्ड कहाँ है?", "आपका कार्ड 5 कार्य दिवसों में पहुँच जाएगा।"),
    ("Can I change my PIN at an ATM?", "Yes: insert the card, choose PIN services, then Change PIN."),
]


def test_smollm2_lora_lowers_validation_loss(tmp_path):
    from train.loop import TrainConfig, train

    clean = write_clean(tmp_path / "clean", TRAIN, TRAIN[::2])  # validation: memorised answers
    cfg = TrainConfig(data=str(clean), out=str(tmp_path / "run"), model="smollm2-135m",
                      max_steps=6, eval_every=6, lr=2e-3, batch_size=6, max_len=128, seed=0)
    run = train(cfg, quiet=True)
    before, after = (point.loss for point in run.history.validation)
    assert after < 0.9 * before
    card = json.loads((tmp_path / "run" / "run.json").read_text())
    assert card["base_model"]["name"] == "smollm2-135m" and len(card["base_model"]["sha256"]) == 64
    assert "<|im_start|>" in card["template"]["chat_template"]
    assert card["template"]["eos_token"] == "<|im_end|>"
