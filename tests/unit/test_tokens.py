from core.tokens import sign, verify


def test_round_trip():
    token = sign("outbox-123", "s3cret")
    assert verify(token, "s3cret") == "outbox-123"


def test_forged_or_other_secret_or_purpose_fails():
    token = sign("outbox-123", "s3cret")
    assert verify(token, "other") is None
    assert verify(token, "s3cret", purpose="login") is None
    value, mac = token.split(".")
    assert verify(sign("outbox-124", "x").split(".")[0] + "." + mac, "s3cret") is None
    assert verify("garbage", "s3cret") is None
    assert verify("", "s3cret") is None
