import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.nip import NipError, birth_date, parse_nip


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("198503122010011003", "198503122010011003"),
        ("19850312 201001 1 003", "198503122010011003"),
        ("'198503122010011003", "198503122010011003"),
        ("  198503122010012003 ", "198503122010012003"),
    ],
)
def test_valid_nips_are_normalised(raw, expected):
    assert parse_nip(raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "nip.empty"),
        ("12345", "nip.not_18_digits"),
        ("1985031220100110031", "nip.not_18_digits"),
        ("19850312201001100X", "nip.not_18_digits"),
        ("１９８５０３１２２０１００１１００３", "nip.not_18_digits"),  # full-width digits are not ASCII
        ("198502302010011003", "nip.bad_birth_date"),  # 30 February
        ("198513012010011003", "nip.bad_birth_date"),
        ("198503122010131003", "nip.bad_appointment"),  # month 13
        ("198503121980011003", "nip.bad_appointment"),  # appointed before birth
        ("198503122010013003", "nip.bad_gender_digit"),
        ("1.98503122010011E+17", "nip.stored_as_number"),
        ("198503122010011000.0", "nip.stored_as_number"),
    ],
)
def test_malformed_nips_say_why(raw, code):
    with pytest.raises(NipError) as caught:
        parse_nip(raw)
    assert caught.value.code == code


@given(
    birth=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2005, 12, 31)),
    years_later=st.integers(18, 40),
    month=st.integers(1, 12),
    gender=st.sampled_from("12"),
    seq=st.integers(1, 999),
)
def test_every_well_formed_nip_parses_and_keeps_its_birth_date(birth, years_later, month, gender, seq):
    nip = f"{birth:%Y%m%d}{birth.year + years_later:04d}{month:02d}{gender}{seq:03d}"
    assert parse_nip(nip) == nip
    assert birth_date(nip) == birth


@given(st.text(max_size=30))
def test_any_text_either_parses_or_raises_nip_error(text):
    try:
        nip = parse_nip(text)
    except NipError as exc:
        assert exc.code.startswith("nip.")
    else:
        assert len(nip) == 18 and nip.isdigit()
