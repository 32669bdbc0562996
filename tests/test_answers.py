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


# -- what volunteers typed in the trial --------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bot.dialogs.answers import BE_OFFSET, MONTHS, format_phone, parse_amount, parse_person_name, read_birth_year  # noqa: E402

MOO_WORDS = ("หมู่ที่", "หมู่", "ม.")


@pytest.mark.parametrize("typed,expected", [("4 คน", 4), ("๔ คน", 4), ("4คน", 4), ("หมู่ 10", 10), ("ม.10", 10), ("หมู่ที่ 10", 10), ("ม. ๑๐", 10)])
def test_integer_with_the_question_words_around_it(typed, expected):
    assert parse_integer(typed, 0, 99, ("คน",) + MOO_WORDS) == expected


@pytest.mark.parametrize("typed", ["4 ห้อง", "คน", "หมู่", "10 หมู่ 2"])
def test_integer_with_other_words_is_refused(typed):
    with pytest.raises(AnswerError):
        parse_integer(typed, 0, 99, ("คน",) + MOO_WORDS)


def test_integer_words_are_only_those_of_the_question():
    with pytest.raises(AnswerError):
        parse_integer("4 คน", 0, 99)


@pytest.mark.parametrize(
    "typed,year,age",
    [("อายุ 73", 2494, 73), ("73 ปี", 2494, 73), ("อายุ 73 ปี", 2494, 73), ("6 เดือน", 2567, 0), ("18 เดือน", 2566, 1), ("1 ขวบ", 2566, 1), ("73 ปี 6 เดือน", 2494, 73), ("พ.ศ. 2499", 2499, None), ("ปี พ.ศ. 2499", 2499, None), ("2499", 2499, None)],
)
def test_birth_year_from_ages_in_words(typed, year, age):
    assert read_birth_year(typed, 2567) == (year, age)


@pytest.mark.parametrize("typed", ["อายุ 130", "1500 เดือน", "อายุ", "เดือน"])
def test_birth_year_refuses_impossible_ages(typed):
    with pytest.raises(AnswerError):
        read_birth_year(typed, 2567)


@pytest.mark.parametrize(
    "typed,baht,interpreted",
    [("3,000.-", 3000, False), ("3000.-บาท", 3000, False), ("5,000 บาท/เดือน", 5000, True), ("เดือนละ 5,000", 5000, True), ("ประมาณ 3,000 บาท", 3000, True), ("5 พัน", 5000, True),
     ("3 หมื่น", 30000, True), ("1.5 หมื่น", 15000, True), ("2 หมื่น 5 พัน", 25000, True), ("1 แสน", 100000, True), ("ไม่มีรายได้", 0, True), ("ไม่มี", 0, True)],
)
def test_money_in_words(typed, baht, interpreted):
    amount = parse_amount(typed, 0, 10_000_000, "month")
    assert (amount.baht, amount.interpreted, amount.typed) == (baht, interpreted, None)


@pytest.mark.parametrize("typed,per,baht,typed_amount", [("60,000 บาท/ปี", "month", 5000, 60000), ("ปีละ 5,000", "month", 417, 5000), ("5,000 ต่อเดือน", "year", 60000, 5000), ("5,000 a year", "year", 5000, None)])
def test_money_in_another_period_is_converted(typed, per, baht, typed_amount):
    amount = parse_amount(typed, 0, 10_000_000, per)
    assert (amount.baht, amount.typed) == (baht, typed_amount)


@pytest.mark.parametrize("typed", ["2 หมื่น 5", "5 พัน 2 หมื่น", "หมื่น", "วันละ 300", "300 บาท/วัน", "5,000/สัปดาห์"])
def test_money_refuses_ambiguous_amounts(typed):
    with pytest.raises(AnswerError):
        parse_amount(typed, 0, 10_000_000, "month")


@pytest.mark.parametrize(
    "typed,stored",
    [("+66 81 234 5678", "0812345678"), ("66812345678", "0812345678"), ("+66 (0)81-234-5678", "0812345678"), ("+66 2 123 4567", "021234567"), ("02-123-4567 ต่อ 123", "021234567;ext=123"), ("021234567 ext. 12", "021234567;ext=12"), ("053-123-456", "053123456"), ("0612345678", "0612345678")],
)
def test_phone_international_and_extensions(typed, stored):
    assert parse_phone(typed) == stored


@pytest.mark.parametrize("typed,count", [("081-234-567", 9), ("0912345678 9", 11), ("02-123-45678", 10), ("0531234567", 10)])
def test_phone_of_the_wrong_length_for_its_kind_says_how_many_digits(typed, count):
    with pytest.raises(AnswerError) as caught:
        parse_phone(typed)
    assert caught.value.params == {"count": count}


@pytest.mark.parametrize("typed", ["0112345678", "01234567", "812345678"])
def test_phone_that_is_neither_mobile_nor_landline_is_refused(typed):
    with pytest.raises(AnswerError) as caught:
        parse_phone(typed)
    assert "mobile number of 10 digits" in caught.value.message


def test_phone_shown_as_written():
    assert format_phone("0812345678") == ("081-234-5678", None)
    assert format_phone("021234567;ext=123") == ("02-123-4567", "123")
    assert format_phone("053123456") == ("053-123-456", None)


@pytest.mark.parametrize("typed", ["10 ม.ค 67", "10 ม.ค. 2567", "10 มค. 67", "10 มกรา 67", "10 ม.ค. พ.ศ. 2567", "10 jan 2567"])
def test_dates_with_month_names_as_typed(typed):
    assert parse_date(typed, TODAY) == dt.date(2024, 1, 10)


@pytest.mark.parametrize("typed,back", [("วันนี้", 0), ("เมื่อวาน", 1), ("เมื่อวานนี้", 1), ("yesterday", 1), ("เมื่อวานซืน", 2)])
def test_relative_dates(typed, back):
    assert parse_date(typed, TODAY) == TODAY - dt.timedelta(days=back)


@pytest.mark.parametrize("typed", ["สมชาย ใจดี", "นายสมชาย ใจดี", "นาย สมชาย ใจดี", "ด.ญ. สมใจ ใจดี", "Somchai Jaidee"])
def test_full_names(typed):
    assert parse_person_name(typed, 200) == " ".join(typed.split())


@pytest.mark.parametrize("typed", ["สมชาย", "นาย สมชาย", "นางสาว สมศรี", "สมชาย 2", "1234 5678", "-- --"])
def test_a_name_without_a_surname_or_with_digits_is_refused(typed):
    with pytest.raises(AnswerError):
        parse_person_name(typed, 200)


# -- properties: every way of writing a valid value reads back as that value --------------------


@given(st.integers(0, 10_000_000), st.sampled_from(["{:,}", "{}", "{:,} บาท", "{:,}.-", "฿{}", "ประมาณ {:,} บาท"]))
def test_any_amount_written_any_usual_way(baht, pattern):
    assert parse_money(pattern.format(baht), 0, 10_000_000) == baht


@given(st.integers(0, 10_000_000 * 12))
def test_a_yearly_amount_is_the_monthly_amount_rounded(baht):
    per_month = parse_amount(f"{baht:,} บาท/ปี", 0, 10_000_000, "month").baht
    assert abs(per_month * 12 - baht) <= 6


@given(st.integers(1, 99), st.sampled_from([("พัน", 1000), ("หมื่น", 10_000), ("แสน", 100_000)]))
def test_counting_words(number, word_and_size):
    word, size = word_and_size
    assert parse_money(f"{number} {word}", 0, 10_000_000) == number * size


MOBILE_WRITINGS = (
    lambda n: n,
    lambda n: f"{n[:3]}-{n[3:6]}-{n[6:]}",
    lambda n: f"{n[:3]} {n[3:6]} {n[6:]}",
    lambda n: f"+66 {n[1:3]} {n[3:6]} {n[6:]}",
    lambda n: "66" + n[1:],
)


@given(st.sampled_from(["06", "08", "09"]), st.integers(0, 10**8 - 1), st.sampled_from(MOBILE_WRITINGS))
def test_any_mobile_number_written_any_usual_way(prefix, rest, write):
    number = f"{prefix}{rest:08d}"
    assert parse_phone(write(number)) == number


@given(st.integers(0, 120), st.sampled_from(["{}", "อายุ {}", "{} ปี", "อายุ {} ปี", "{} ขวบ"]))
def test_any_age_gives_the_birth_year_in_the_survey_year(age, pattern):
    assert read_birth_year(pattern.format(age), 2567) == (2567 - age, age)


@settings(max_examples=200)
@given(st.dates(dt.date(2000, 1, 1), dt.date(2050, 12, 31)))
def test_any_date_written_the_thai_ways(day):
    be = day.year + BE_OFFSET
    abbr = MONTHS[day.month - 1][0]
    for typed in (f"{day.day}/{day.month}/{be}", f"{day.day} {abbr} {be}", f"{day.day} {abbr.rstrip('.')} {be}", f"{day.day} {MONTHS[day.month - 1][1]} {be}"):
        assert parse_date(typed, day) == day


@given(st.text(max_size=40))
def test_no_typed_text_crashes_a_parser(text):
    for parse in (lambda t: parse_amount(t, 0, 10_000_000, "month"), parse_phone, lambda t: read_birth_year(t, 2567), lambda t: parse_date(t, TODAY), lambda t: parse_integer(t, 0, 99, MOO_WORDS), lambda t: parse_person_name(t, 200)):
        try:
            parse(text)
        except AnswerError:
            pass


@pytest.mark.parametrize("typed", ["9" * 30, "9" * 30 + " พัน", "1" + "0" * 40 + " บาท/ปี"])
def test_amounts_too_long_to_be_money_are_wrong_answers_not_crashes(typed):
    with pytest.raises(AnswerError):
        parse_amount(typed, 0, 10_000_000, "month")
