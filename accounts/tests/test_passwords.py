import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.models import User
from orgs.models import Unit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password",
    [
        "Password123!",
        "short-pass",
        "QuangNgai2025!!",
        "Bình-Đẳng-Giới-2025",
        "P@ssw0rd-2025",
        "123456789012",
    ],
)
def test_weak_or_context_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        password_validation.validate_password(password, User(username="lan"))


def test_unit_name_is_a_context_word():
    user = User(username="lan", unit=Unit.objects.get(code="21548"))
    with pytest.raises(ValidationError):
        password_validation.validate_password("lyson-biendep-42", user)


@pytest.mark.usefixtures("production_hashers")
def test_long_passphrase_is_accepted_and_hashed_with_argon2():
    user = User.objects.create(username="lan", full_name="Lan", role="leader")
    password_validation.validate_password("mây-trắng-bay-qua-đồi-chè", user)
    user.set_password("mây-trắng-bay-qua-đồi-chè")
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert user.check_password("mây-trắng-bay-qua-đồi-chè")
