"""``S3ObjectStore``: objects in an S3 bucket (AWS, MinIO, R2, ...) under an optional key prefix."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from core.errors import InvalidInput, NotFound
from tools.storage.base import ObjectInfo, StorageError, check_key, older_than

_MISSING = ("404", "NoSuchKey", "NotFound")
_DELETE_BATCH = 1000  # DeleteObjects takes at most 1000 keys


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ("bucket", "some/prefix/"); the prefix may be empty."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise InvalidInput(f"not an s3:// URL: {url!r}")
    prefix = parsed.path.strip("/")
    return parsed.netloc, f"{prefix}/" if prefix else ""


def s3_client(endpoint_url: str | None = None) -> Any:
    """A boto3 S3 client; credentials and region come from the standard AWS environment."""
    session = boto3.session.Session()
    # A custom endpoint is usually MinIO-like: path-style addressing, any region name works.
    config = Config(s3={"addressing_style": "path"}) if endpoint_url else None
    return session.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=session.region_name or "us-east-1",
        config=config,
    )


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING


class S3ObjectStore:
    def __init__(self, bucket: str, prefix: str = "", *, client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self._client = client

    @classmethod
    def from_url(cls, url: str, endpoint_url: str | None = None) -> S3ObjectStore:
        bucket, prefix = parse_s3_url(url)
        return cls(bucket, prefix, client=s3_client(endpoint_url))

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(
        self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream"
    ) -> str:
        try:
            if isinstance(data, bytes | bytearray | memoryview):
                self._client.put_object(
                    Bucket=self.bucket, Key=self._key(key), Body=bytes(data), ContentType=content_type
                )
            else:  # a file: upload_fileobj streams it in parts
                self._client.upload_fileobj(
                    data, self.bucket, self._key(key), ExtraArgs={"ContentType": content_type}
                )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"cannot store {key}: {exc}") from exc
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _missing(exc):
                raise NotFound(f"object {key} not found") from exc
            raise StorageError(f"cannot read {key}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"cannot read {key}: {exc}") from exc
        return cast(BinaryIO, response["Body"])  # botocore's StreamingBody is an io.IOBase

    def get(self, key: str) -> bytes:
        with self.open(key) as body:
            return body.read()

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise StorageError(f"cannot look up {key}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"cannot look up {key}: {exc}") from exc
        return True

    def delete(self, key: str) -> bool:
        # S3 deletes are silent about missing keys; the caller wants to know.
        if not self.exists(key):
            return False
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"cannot delete {key}: {exc}") from exc
        return True

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for item in page.get("Contents", []):
                    modified = item["LastModified"]
                    if modified.tzinfo is None:
                        modified = modified.replace(tzinfo=UTC)
                    yield ObjectInfo(item["Key"][len(self.prefix):], int(item["Size"]), modified)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"cannot list {prefix!r}: {exc}") from exc

    def url(self, key: str, expires_in: int = 3600) -> str:
        return str(self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._key(key)}, ExpiresIn=expires_in
        ))

    def delete_older_than(self, prefix: str, cutoff: datetime) -> builtins.list[str]:
        keys = [info.key for info in older_than(self.list(prefix), cutoff)]
        for start in range(0, len(keys), _DELETE_BATCH):
            batch = keys[start:start + _DELETE_BATCH]
            try:
                response = self._client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": self.prefix + k} for k in batch], "Quiet": True},
                )
            except (ClientError, BotoCoreError) as exc:
                raise StorageError(f"cannot delete under {prefix!r}: {exc}") from exc
            if response.get("Errors"):
                first = response["Errors"][0]
                raise StorageError(f"cannot delete {first.get('Key')}: {first.get('Message')}")
        return keys
