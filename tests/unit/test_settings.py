from pathlib import Path

from core.settings import Settings, env_example

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_documents_every_setting():
    text = (ROOT / ".env.example").read_text()
    assert text == env_example(), "regenerate: python -c 'from core.settings import env_example; print(env_example())' > .env.example"
    for name in Settings.model_fields:
        assert f"LEADGEN_{name.upper()}=" in text


def test_defaults_are_embedded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = Settings(data_dir=tmp_path / "d")
    assert s.resolved_database_url == f"sqlite:///{(tmp_path / 'd' / 'leadgen.db')}"
    assert not s.is_postgres
    assert not s.llm_enabled


def test_env_prefix_and_lists(monkeypatch):
    monkeypatch.setenv("LEADGEN_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("LEADGEN_ALLOW_PRIVATE_HOSTS", '["127.0.0.1","localhost"]')
    s = Settings()
    assert s.is_postgres
    assert s.allow_private_hosts == ["127.0.0.1", "localhost"]


def test_comma_separated_list(monkeypatch):
    monkeypatch.setenv("LEADGEN_ALLOW_PRIVATE_HOSTS", "127.0.0.1, localhost")
    assert Settings().allow_private_hosts == ["127.0.0.1", "localhost"]
