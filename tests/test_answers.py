"""Answer parsers: what volunteers really type is accepted, anything else gets a reason."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.dialogs.answers import (
    AnswerError,
    format_date_be,
    format_national_id,
    national_id_valid,
    parse_birth_year,
    parse_date,
    parse_house_code,
    parse_integer,
    parse_money,
    parse_national_id,
    parse_numbers,
    parse_phone,
    parse_text,
)

TODAY = dt.date(2024, 1, 20)  # 20 ม.ค. 2567


def make_id(first12: str) -> str:
    """A valid national ID from its first 12 digits."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


VALID_ID = make_id("110370123456")


@pytest.mark.parametrize("typed", [VALID_ID, format_national_id(VALID_ID), " ".join(VALID_ID), VALID_ID.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))])
def test_national_id_accepts_dashes_spaces_and_thai_digits(typed):
    assert parse_national_id(typed) == VALID_ID


def test_national_id_with_wrong_check_digit_is_refused():
    wrong = VALID_ID[:12] + str((int(VALID_ID[12]) + 1) % 10)
    assert not national_id_valid(wrong)
    with pytest.raises(AnswerError) as caught:
        parse_national_id(wrong)
    assert "last digit" in caught.value.message


@pytest.mark.parametrize("typed,count", [("12345", 5), ("11037012345678", 14), ("abc", 0)])
def test_national_id_of_wrong_length_says_how_many_digits(typed, count):
    with pytest.raises(AnswerError) as caught:
        parse_national_id(typed)
    assert caught.value.params == {"count": count}


def test_known_real_format_check_digit():
    # 3-1012-00345-67-? by hand: weights 13..2 give 169, 169 % 11 = 4, 11 - 4 = 7.
    assert national_id_valid("3101200345677")
    assert not national_id_valid("3101200345678")


def test_house_code_needs_eleven_digits():
    assert parse_house_code("1003-012345-6") == "10030123456"
    assert parse_house_code("๑๐๐๓๐๑๒๓๔๕๖") == "10030123456"
    with pytest.raises(AnswerError):
        parse_house_code("1003012345")


@pytest.mark.parametrize("typed,expected", [("081-234-5678", "0812345678"), ("02 123 4567", "021234567"), ("+66812345678", "0812345678"), ("๐๘๑๒๓๔๕๖๗๘", "0812345678")])
def test_phone_accepts_thai_formats(typed, expected):
    assert parse_phone(typed) == expected


@pytest.mark.parametrize("typed", ["812345678", "08123", "081234567890", "โทร"])
def test_phone_refuses_others(typed):
    with pytest.raises(AnswerError):
        parse_phone(typed)


def test_integer_range_and_separators():
    assert parse_integer("1,200", 0, 2000) == 1200
    assert parse_integer("๓", 1, 30) == 3
    assert parse_integer(" 30 ", 1, 30) == 30
    for bad in ("0", "31", "สาม", "2.5", ""):
        with pytest.raises(AnswerError) as caught:
            parse_integer(bad, 1, 30)
        assert caught.value.params == {"low": 1, "high": 30}


@pytest.mark.parametrize("typed,expected", [("5,000", 5000), ("5000 บาท", 5000), ("๕,๐๐๐บาท", 5000), ("0", 0), ("1,250.50", 1251), ("฿300", 300)])
def test_money_accepts_what_people_type(typed, expected):
    assert parse_money(typed, 0, 10_000_000) == expected


@pytest.mark.parametrize("typed", ["ห้าพัน", "-5", "5.555", "", "20,000,000"])
def test_money_refuses_others(typed):
    with pytest.raises(AnswerError):
        parse_money(typed, 0, 10_000_000)


def test_birth_year_from_year_or_age():
    assert parse_birth_year("2510", 2567) == 2510
    assert parse_birth_year("56", 2567) == 2511
    assert parse_birth_year("56 ปี", 2567) == 2511
    assert parse_birth_year("พ.ศ. 2510", 2567) == 2510
    assert parse_birth_year("๒๕๑๐", 2567) == 2510
    assert parse_birth_year("0", 2567) == 2567


def test_birth_year_in_christian_era_is_explained():
    with pytest.raises(AnswerError) as caught:
        parse_birth_year("1967", 2567)
    assert caught.value.params == {"year": 1967, "be": 2510}


@pytest.mark.parametrize("typed", ["2568", "2300", "300", "ห้าสิบ"])
def test_birth_year_refuses_impossible_values(typed):
    with pytest.raises(AnswerError):
        parse_birth_year(typed, 2567)


@pytest.mark.parametrize(
    "typed",
    ["15/1/2567", "15/01/67", "15-1-2567", "15.1.2567", "15 ม.ค. 67", "15 ม.ค. 2567", "15 มกราคม 2567", "๑๕/๑/๒๕๖๗", "15 Jan 67", "2024-01-15", "15 มค 67"],
)
def test_dates_in_buddhist_era_and_from_the_picker(typed):
    assert parse_date(typed, TODAY) == dt.date(2024, 1, 15)


@pytest.mark.parametrize("typed", ["31/2/2567", "15/1/2024", "พรุ่งนี้", "15 foo 67", "15/13/2567"])
def test_impossible_or_christian_dates_are_refused(typed):
    with pytest.raises(AnswerError):
        parse_date(typed, TODAY)


def test_date_shown_in_buddhist_era():
    assert format_date_be(dt.date(2024, 1, 15)) == "15 ม.ค. 2567"


def test_checklist_numbers():
    assert parse_numbers("1 3 5", 6) == [1, 3, 5]
    assert parse_numbers("1,3, 3", 6) == [1, 3]
    assert parse_numbers("๒ ๔", 6) == [2, 4]
    for bad in ("1 9", "a b", "", "0"):
        with pytest.raises(AnswerError):
            parse_numbers(bad, 6)


def test_text_trimmed_and_bounded():
    assert parse_text("  สมชาย   ใจดี ", 200) == "สมชาย ใจดี"
    with pytest.raises(AnswerError):
        parse_text("   ", 200)
    with pytest.raises(AnswerError):
        parse_text("ก" * 201, 200)


@pytest.mark.parametrize("typed", ["²", "1²", "9" * 5000])
def test_digits_int_cannot_read_are_wrong_answers_not_crashes(typed):
    from bot.dialogs.answers import parse_birth_year, parse_integer, parse_numbers

    with pytest.raises(AnswerError):
        parse_integer(typed, 0, 99)
    with pytest.raises(AnswerError):
        parse_birth_year(typed, 2567)
    with pytest.raises(AnswerError):
        parse_numbers(typed, 5)
