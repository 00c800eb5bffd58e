import pytest

from survey.settings import SettingsError, load_settings, normalise_database_url


def test_production_refuses_to_start_without_a_secret(tmp_path) -> None:
    with pytest.raises(SettingsError, match="SURVEY_SECRET_KEY"):
        load_settings({"SURVEY_ENV": "production", "SURVEY_DATA_DIR": str(tmp_path)})


def test_production_refuses_insecure_cookies(tmp_path) -> None:
    with pytest.raises(SettingsError, match="insecure cookies"):
        load_settings(
            {
                "SURVEY_ENV": "production",
                "SURVEY_DATA_DIR": str(tmp_path),
                "SURVEY_SECRET_KEY": "s" * 40,
                "SURVEY_SECURE_COOKIES": "false",
            }
        )


def test_production_refuses_a_short_secret(tmp_path) -> None:
    with pytest.raises(SettingsError, match="32 characters"):
        load_settings(
            {
                "SURVEY_ENV": "production",
                "SURVEY_DATA_DIR": str(tmp_path),
                "SURVEY_SECRET_KEY": "short",
            }
        )


PRODUCTION_MAIL = {
    "SURVEY_PUBLIC_URL": "https://n-scan.example.org/",
    "SURVEY_SMTP_HOST": "smtp.example.org",
}


@pytest.mark.parametrize(
    ("missing", "message"),
    [("SURVEY_PUBLIC_URL", "SURVEY_PUBLIC_URL"), ("SURVEY_SMTP_HOST", "SURVEY_SMTP_HOST")],
)
def test_production_needs_a_public_address_and_a_mail_server(tmp_path, missing, message) -> None:
    environment = {
        "SURVEY_ENV": "production",
        "SURVEY_DATA_DIR": str(tmp_path),
        "SURVEY_SECRET_KEY": "s" * 40,
        **PRODUCTION_MAIL,
    }
    del environment[missing]
    with pytest.raises(SettingsError, match=message):
        load_settings(environment)


def test_production_with_secret_has_secure_cookies(tmp_path) -> None:
    settings = load_settings(
        {
            "SURVEY_ENV": "production",
            "SURVEY_DATA_DIR": str(tmp_path),
            "SURVEY_SECRET_KEY": "s" * 40,
            **PRODUCTION_MAIL,
        }
    )
    assert settings.public_url == "https://n-scan.example.org"
    assert settings.secure_cookies is True
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_a_secret_once_in_the_data_folder(tmp_path) -> None:
    first = load_settings({"SURVEY_DATA_DIR": str(tmp_path)})
    second = load_settings({"SURVEY_DATA_DIR": str(tmp_path)})
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path / 'survey.sqlite3'}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_database_urls_get_the_async_driver(url: str, expected: str) -> None:
    assert normalise_database_url(url) == expected


def test_the_server_address_comes_from_survey_host_and_survey_port(tmp_path) -> None:
    chosen = load_settings(
        {"SURVEY_DATA_DIR": str(tmp_path), "SURVEY_HOST": "192.168.1.10", "SURVEY_PORT": "8001"}
    )
    default = load_settings({"SURVEY_DATA_DIR": str(tmp_path)})
    assert (chosen.host, chosen.port) == ("192.168.1.10", 8001)
    assert (default.host, default.port) == ("127.0.0.1", 8000)
    with pytest.raises(SettingsError, match="SURVEY_PORT"):
        load_settings({"SURVEY_DATA_DIR": str(tmp_path), "SURVEY_PORT": "eighty"})
