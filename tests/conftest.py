import os

# Tests never reach a hub, and tldextract (pulled in by Presidio) must not try the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """Path of a tiny random HF model folder (see tests/tiny_model.py), built once per session."""
    from tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def pii():
    """The default pii pass (spaCy + Presidio, ~4 s), built once while any network connection
    attempt fails loudly."""
    import socket

    from _pii_util import run_pii, ticket

    from curate.passes.pii import PiiPass

    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in tests")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket, "create_connection", refuse)
        mp.setattr(socket.socket, "connect", refuse)
        p = PiiPass()
        p.ensure_setup()
        run_pii(p, [ticket(0, "Email me at test.user@example.co.uk")])
    assert attempts == []
    return p
