"""S3ObjectStore against a real S3 API server on loopback (moto's server mode): the ObjectStore
contract of tests/unit/test_storage_contract.py, plus what only S3 has."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.errors import InvalidInput
from tests.unit.test_storage_contract import *  # noqa: F403  (the same contract, collected here again)
from tools.storage import StorageError, build_object_store
from tools.storage.s3 import S3ObjectStore, parse_s3_url, s3_client


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def aws_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("aws")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "leadgen-test")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "leadgen-test-secret")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        # Never read a developer's real AWS profile.
        patch.setenv("AWS_CONFIG_FILE", str(home / "no-aws-config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "no-aws-credentials"))
        yield


@pytest.fixture(scope="module")
def client(s3_endpoint, aws_env):
    # One client for the module: building one loads botocore's service models (slow).
    return s3_client(s3_endpoint)


@pytest.fixture
def bucket(client) -> str:
    name = f"leadgen-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def store(client, bucket):  # noqa: F811  (overrides the local store of the contract tests)
    return S3ObjectStore(bucket, "leadgen/", client=client)


def test_parse_s3_url():
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b/")
    with pytest.raises(InvalidInput):
        parse_s3_url("https://bucket/a")


def test_objects_live_under_the_prefix_in_the_bucket(store, bucket, client):
    store.put("exports/c1/results.csv", b"url\n", "text/csv; charset=utf-8")
    head = client.head_object(Bucket=bucket, Key="leadgen/exports/c1/results.csv")
    assert head["ContentType"] == "text/csv; charset=utf-8"
    assert [info.key for info in store.list()] == ["exports/c1/results.csv"]


def test_two_prefixes_in_one_bucket_do_not_see_each_other(bucket, client):
    tenant_a = S3ObjectStore(bucket, "a/", client=client)
    tenant_b = S3ObjectStore(bucket, "b/", client=client)
    tenant_a.put("reports/r.json", b"a")
    assert not tenant_b.exists("reports/r.json")
    assert list(tenant_b.list()) == []
    assert tenant_b.delete_older_than("", datetime.now(UTC) + timedelta(days=1)) == []
    assert tenant_a.get("reports/r.json") == b"a"


def test_presigned_url_downloads_the_object(store):
    store.put("exports/c1/results.jsonl", b'{"url": "https://acme.example/"}\n', "application/x-ndjson")
    url = store.url("exports/c1/results.jsonl", expires_in=300)
    assert "Signature" in url or "X-Amz-Signature" in url
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.content == b'{"url": "https://acme.example/"}\n'


def test_large_file_goes_up_in_parts(store):
    payload = (b"0123456789abcdef" * 65536) * 9  # 9 MiB: above boto3's 8 MiB multipart threshold
    store.put("snapshots/huge.html", io.BytesIO(payload), "text/html")
    assert store.get("snapshots/huge.html") == payload


def test_missing_bucket_is_a_storage_error(s3_endpoint, aws_env):
    store = S3ObjectStore.from_url("s3://no-such-bucket-leadgen", endpoint_url=s3_endpoint)
    with pytest.raises(StorageError):
        store.put("exports/x.csv", b"x")
    with pytest.raises(StorageError):
        list(store.list())


def test_settings_choose_s3(settings, bucket, client, s3_endpoint):
    configured = settings.model_copy(update={
        "object_store_url": f"s3://{bucket}/prod", "s3_endpoint_url": s3_endpoint,
    })
    store = build_object_store(configured)
    assert isinstance(store, S3ObjectStore)
    store.put("reports/weekly.json", b"{}")
    objects = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in objects] == ["prod/reports/weekly.json"]
