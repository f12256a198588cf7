import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.text import fold

# Words an attacker tries first: generic ones and the context of this system (province, agencies).
CONTEXT_WORDS = (
    "password",
    "passw0rd",
    "matkhau",
    "qwerty",
    "asdfgh",
    "abc123",
    "123456",
    "654321",
    "admin",
    "welcome",
    "letmein",
    "iloveyou",
    "binhdang",
    "binhdanggioi",
    "quangngai",
    "kontum",
    "noivu",
    "sonoivu",
    "ubnd",
    "uyban",
    "hoiphunu",
    "lhpn",
    "congan",
    "baocao",
)


UNIT_PREFIX = re.compile(r"^(xa|phuong|dac khu|thi tran|huyen|thi xa|thanh pho|tinh|so)\s+")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


class ContextWordsValidator:
    """Refuse passwords built on common or context words, whatever the case, accents or symbols."""

    def validate(self, password, user=None):
        squashed = _squash(password)
        # l33t-speak spelling of the same words is no better.
        unleet = _squash(password.translate(str.maketrans("013457@$", "oieastas")))
        words = list(CONTEXT_WORDS)
        if user is not None:
            words += [_squash(getattr(user, "username", "") or "")]
            unit = getattr(user, "unit", None)
            if unit is not None:
                words += [_squash(unit.name), _squash(UNIT_PREFIX.sub("", fold(unit.name)))]
        for word in filter(lambda w: len(w) >= 4, words):
            if word in squashed or word in unleet:
                raise ValidationError(
                    _("Mật khẩu chứa từ quá dễ đoán (“%(word)s”). Hãy dùng một cụm từ riêng."),
                    code="password_context_word",
                    params={"word": word},
                )

    def get_help_text(self):
        return _("Mật khẩu không được chứa từ phổ biến hoặc tên tỉnh, tên cơ quan, tên đăng nhập.")
