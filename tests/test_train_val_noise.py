"""The validation loss kept per example, and the paired standard error of its change between two
evaluations (train/loss.py), which the run card records for evalkit's undertrained rule."""
import json
import math
import random

import pytest
from _train_util import PAIRS, write_clean

from train.loop import TrainConfig, train
from train.loss import fall_se


def test_a_fall_shared_by_every_example_has_no_noise():
    before = [[6.0, 3], [10.0, 5], [4.0, 2]]
    after = [[s - 0.5 * n, n] for s, n in before]       # 0.5 nats per token, everywhere
    assert fall_se(before, after) == pytest.approx(0.0, abs=1e-12)


def test_the_standard_error_is_that_of_a_ratio_estimator():
    """Against the textbook formula, and against resampling the examples."""
    rng = random.Random(3)
    before = [[rng.uniform(20, 60), rng.randint(10, 30)] for _ in range(48)]
    after = [[s - rng.gauss(2, 4), n] for s, n in before]
    d = [b[0] - a[0] for b, a in zip(before, after)]
    n = [a[1] for a in after]
    r = sum(d) / sum(n)
    k, nbar = len(d), sum(n) / len(n)
    textbook = math.sqrt(sum((di - r * ni) ** 2 for di, ni in zip(d, n)) / (k - 1) / k) / nbar
    assert fall_se(before, after) == pytest.approx(textbook, rel=1e-9)
    falls = []
    for _ in range(2000):
        idx = [rng.randrange(k) for _ in range(k)]
        falls.append(sum(d[i] for i in idx) / sum(n[i] for i in idx))
    mean = sum(falls) / len(falls)
    boot = math.sqrt(sum((f - mean) ** 2 for f in falls) / (len(falls) - 1))
    assert fall_se(before, after) == pytest.approx(boot, rel=0.1)


@pytest.mark.parametrize("before,after", [(None, [[1.0, 1], [2.0, 1]]), ([[1.0, 1]], [[0.5, 1]]),
                                          ([[1.0, 1], [2.0, 1]], [[0.5, 1]])])
def test_nothing_to_pair_gives_none(before, after):
    assert fall_se(before, after) is None


def test_the_card_records_each_evaluations_noise(tiny_model_dir, tmp_path):
    pairs = PAIRS + [("Kya main UPI se ₹500 bhej sakta hoon?", "Haan, ₹1 lakh tak roz bhej sakte hain."),
                     ("2 + 2 × 3 = ?", "2 + 2 × 3 = 8")]
    cfg = TrainConfig(data=str(write_clean(tmp_path / "clean", pairs, pairs)),
                      out=str(tmp_path / "run"), model=str(tiny_model_dir), max_steps=8, lr=1e-2,
                      batch_size=4, eval_every=4, precision="fp32", seed=1)
    card = train(cfg, quiet=True)
    points = card.history.validation
    assert [p.step for p in points] == [0, 4, 8]
    assert points[0].fall_se is None
    assert all(p.fall_se > 0 for p in points[1:])
    # a real fall on a memorisable set is larger than its noise
    assert points[0].loss - points[-1].loss > 2 * max(p.fall_se for p in points[1:])
    saved = json.loads((tmp_path / "run" / "run.json").read_text())["history"]["validation"]
    assert [p["fall_se"] for p in saved] == [p.fall_se for p in points]
