# A URL validator's tests: the cloud metadata address appears as a URL that must be refused.
import pytest

from models.net import validate_url

BLOCKED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://192.168.1.1/admin",
    "http://127.0.0.1/internal",
]


@pytest.mark.parametrize("url", BLOCKED)
def test_blocked(url):
    with pytest.raises(ValueError):
        validate_url(url)
