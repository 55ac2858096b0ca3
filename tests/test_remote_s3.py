"""`s3://` input and output against a local S3 server (moto's, started inside the test): the bytes
of a local run, and one-line errors for a missing bucket (issue 17). Skipped without moto[server]
and s3fs (pip install 'moto[server]' s3fs)."""
import socket

import pytest

pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

from curate.api import curate_into  # noqa: E402
from curate.readers import InputError  # noqa: E402
from curate.recipe import load_recipe  # noqa: E402
from curate.writers import OutputError  # noqa: E402

ROWS = ('{"instruction": "UPI PIN kaise reset karein? Maine 3 baar galat daala", "output": "Settings mein '
        'Reset PIN chunein, phir OTP daalein."}\n'
        '{"instruction": "मेरा कार्ड ब्लॉक हो गया है, अब क्या करूँ?", "output": "ऐप में Cards खोलें और Unblock दबाएँ।"}\n'
        '{"instruction": "<p>Export my <b>statement</b> as PDF</p>", "output": "Tap <code>Export</code>."}\n'
        '{"instruction": "UPI PIN kaise reset karein? Maine 3 baar galat daala", "output": "Settings mein '
        'Reset PIN chunein, phir OTP daalein."}\n'
        '{"instruction": "broken line\n')
OUTPUTS = ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl", "report.html")


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """A moto S3 server on a free local port; s3fs pointed at it with dummy credentials."""
    import fsspec.config
    import s3fs

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = fsspec.config.conf.get("s3")
    fsspec.config.conf["s3"] = {"endpoint_url": f"http://127.0.0.1:{port}", "key": "testing",
                                "secret": "testing", "client_kwargs": {"region_name": "us-east-1"}}
    s3fs.S3FileSystem.clear_instance_cache()
    import boto3            # moto's dependency; s3fs's mkdir sends a region moto refuses

    boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id="testing",
                 aws_secret_access_key="testing", region_name="us-east-1").create_bucket(Bucket="tickets")
    fs = s3fs.S3FileSystem()
    fs.pipe("tickets/raw/support.jsonl", ROWS.encode())
    fs.pipe("tickets/raw/hi/faq.jsonl", ROWS.encode())
    yield fs
    server.stop()
    fsspec.config.conf.pop("s3") if saved is None else fsspec.config.conf.update(s3=saved)
    s3fs.S3FileSystem.clear_instance_cache()


def test_s3_in_and_out_gives_the_bytes_of_a_local_run(tmp_path, s3):
    raw = tmp_path / "raw"
    (raw / "hi").mkdir(parents=True)
    (raw / "support.jsonl").write_text(ROWS, encoding="utf-8")
    (raw / "hi" / "faq.jsonl").write_text(ROWS, encoding="utf-8")
    recipe = load_recipe(None, seed=4, skip="pii")
    curate_into("s3://tickets/raw/", "s3://tickets/clean/", recipe, workers=1, progress=False)
    curate_into(raw, tmp_path / "clean", recipe, workers=1, progress=False)
    s3.invalidate_cache()
    for name in OUTPUTS:
        local = tmp_path / "clean" / name
        assert s3.exists(f"tickets/clean/{name}") == local.exists(), name
        if local.exists() and name != "report.html":
            assert s3.cat(f"tickets/clean/{name}") == local.read_bytes(), name
    assert s3.exists("tickets/clean/manifest.json")
    assert not [p for p in s3.ls("tickets") if ".curate-tmp-" in p]
    with pytest.raises(OutputError, match="output folder already exists: s3://tickets/clean/"):
        curate_into("s3://tickets/raw/", "s3://tickets/clean/", recipe, workers=1, progress=False)


def test_a_missing_bucket_is_one_line_naming_it(tmp_path, s3):
    recipe = load_recipe(None, skip="pii")
    with pytest.raises(InputError, match=r"^bucket not found: s3://no-such-bucket \(in s3://no-such-bucket/raw/\)"):
        curate_into("s3://no-such-bucket/raw/", tmp_path / "clean", recipe, workers=1, progress=False)
    with pytest.raises(InputError, match=r"^input not found: s3://tickets/nothing/"):
        curate_into("s3://tickets/nothing/", tmp_path / "clean", recipe, workers=1, progress=False)
    with pytest.raises(OutputError, match=r"^bucket not found: s3://no-such-bucket \(in s3://no-such-bucket/clean\)"):
        curate_into("s3://tickets/raw/", "s3://no-such-bucket/clean", recipe, workers=1, progress=False)
    assert not (tmp_path / "clean").exists()
