"""Parse and check typed answers: pure functions from text to a canonical value or an AnswerError.

Thai users type Thai digits (๐–๙), dashes in ID numbers, "5,000 บาท" for money and
Buddhist Era dates; every parser accepts those. The Thai words here (month names,
"บาท") are input grammar, like the digit table, not texts the bot says.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.i18n import N_

BE_OFFSET = 543
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# (abbreviation, full name, English abbreviation) for months 1..12.
MONTHS = (
    ("ม.ค.", "มกราคม", "jan"), ("ก.พ.", "กุมภาพันธ์", "feb"), ("มี.ค.", "มีนาคม", "mar"),
    ("เม.ย.", "เมษายน", "apr"), ("พ.ค.", "พฤษภาคม", "may"), ("มิ.ย.", "มิถุนายน", "jun"),
    ("ก.ค.", "กรกฎาคม", "jul"), ("ส.ค.", "สิงหาคม", "aug"), ("ก.ย.", "กันยายน", "sep"),
    ("ต.ค.", "ตุลาคม", "oct"), ("พ.ย.", "พฤศจิกายน", "nov"), ("ธ.ค.", "ธันวาคม", "dec"),
)
BAHT_WORDS = ("บาท", "baht", "฿")


@dataclass(frozen=True)
class AnswerError(Exception):
    """A typed answer that does not fit: a message id saying why, with its parameters."""

    message: str
    params: dict[str, object] = field(default_factory=dict)


def normalize_digits(text: str) -> str:
    """Thai digits to ASCII digits, surrounding spaces removed."""
    return text.translate(THAI_DIGITS).strip()


def is_small_number(text: str, max_digits: int = 9) -> bool:
    """True for plain decimal digits that int() reads, not too many of them.

    str.isdigit() also accepts "²" and the like, which int() refuses, and int() refuses
    more than 4,300 digits: both would crash a question instead of asking it again.
    """
    return text.isdecimal() and len(text) <= max_digits


def digits_only(text: str) -> str:
    """The text without the separators people type in numbers (spaces, dashes, dots)."""
    return re.sub(r"[\s\-–.]", "", normalize_digits(text))


def national_id_valid(digits: str) -> bool:
    """True for 13 digits whose last is the mod-11 check digit of the first 12."""
    if len(digits) != 13 or not digits.isdigit():
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def parse_national_id(text: str) -> str:
    """A 13-digit national ID with a valid check digit (dashes and spaces allowed)."""
    digits = digits_only(text)
    if not digits.isdigit() or len(digits) != 13:
        raise AnswerError(N_("A national ID number has 13 digits; you typed {count}."), {"count": sum(c.isdigit() for c in digits)})
    if not national_id_valid(digits):
        raise AnswerError(N_("This national ID number is not valid (its last digit does not match). Please check the number on the card."))
    return digits


def format_national_id(digits: str) -> str:
    """1-2345-67890-12-3, as printed on the card."""
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}" if len(digits) == 13 else digits


def parse_house_code(text: str) -> str:
    """An 11-digit DOPA house code."""
    digits = digits_only(text)
    if not digits.isdigit() or len(digits) != 11:
        raise AnswerError(N_("A house code has 11 digits; you typed {count}."), {"count": sum(c.isdigit() for c in digits)})
    return digits


def parse_phone(text: str) -> str:
    """A Thai phone number: 9 or 10 digits starting with 0 (+66 is turned into 0)."""
    digits = re.sub(r"[\s\-–.()]", "", normalize_digits(text))
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    if not digits.isdigit() or not 9 <= len(digits) <= 10 or not digits.startswith("0"):
        raise AnswerError(N_("A phone number has 9 or 10 digits and starts with 0."))
    return digits


def parse_integer(text: str, low: int, high: int) -> int:
    """A whole number within [low, high] ("1,200" accepted)."""
    cleaned = normalize_digits(text).replace(",", "").replace(" ", "")
    if not is_small_number(cleaned.removeprefix("-"), 15):
        raise AnswerError(N_("Please type a number from {low} to {high}."), {"low": low, "high": high})
    value = int(cleaned)
    if not low <= value <= high:
        raise AnswerError(N_("Please type a number from {low} to {high}."), {"low": low, "high": high})
    return value


def parse_money(text: str, low: int, high: int) -> int:
    """An amount in whole baht ("5,000", "5000 บาท", "5,000.50" rounded)."""
    cleaned = normalize_digits(text).casefold()
    for word in BAHT_WORDS:
        cleaned = cleaned.replace(word, "")
    cleaned = cleaned.replace(",", "").replace(" ", "")
    try:
        if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
            raise InvalidOperation
        value = int(Decimal(cleaned).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise AnswerError(N_("Please type an amount in baht, for example 5,000."), {}) from None
    if not low <= value <= high:
        raise AnswerError(N_("Please type an amount from {low} to {high} baht."), {"low": f"{low:,}", "high": f"{high:,}"})
    return value


def parse_birth_year(text: str, this_year_be: int, max_age: int = 120) -> int:
    """A birth year in the Buddhist Era, from a BE year (2510) or an age (56)."""
    cleaned = normalize_digits(text).replace(",", "").replace(" ", "")
    cleaned = re.sub(r"^(พ\.ศ\.|พศ)", "", cleaned)
    cleaned = re.sub(r"(ปี|ขวบ)$", "", cleaned)
    if not is_small_number(cleaned):
        raise AnswerError(N_("Please type the year of birth in the Buddhist Era (e.g. 2510) or the age in years (e.g. 56)."))
    value = int(cleaned)
    if value <= max_age:
        return this_year_be - value
    if this_year_be - BE_OFFSET - max_age <= value <= this_year_be - BE_OFFSET:
        raise AnswerError(N_("{year} looks like a Christian Era year. Please type the Buddhist Era year ({be}) or the age."), {"year": value, "be": value + BE_OFFSET})
    if this_year_be - max_age <= value <= this_year_be:
        return value
    raise AnswerError(N_("Please type a year of birth from {low} to {high} (Buddhist Era) or an age from 0 to {max_age}."), {"low": this_year_be - max_age, "high": this_year_be, "max_age": max_age})


def parse_date(text: str, today: dt.date) -> dt.date:
    """A date: ISO from LINE's date picker, or typed in the Buddhist Era (15/1/2567, 15 ม.ค. 67)."""
    cleaned = normalize_digits(text)
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", cleaned)
    if iso:
        return _date(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = re.fullmatch(r"(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{2}|\d{4})", cleaned)
    if numeric:
        return _date(_gregorian(numeric[3], today), int(numeric[2]), int(numeric[1]))
    named = re.fullmatch(r"(\d{1,2})\s*([^\d\s]+?)\s*(?:พ\.ศ\.\s*)?(\d{2}|\d{4})", cleaned)
    if named:
        month = _month(named[2])
        if month:
            return _date(_gregorian(named[3], today), month, int(named[1]))
    raise AnswerError(N_("Please type the date as day/month/year in the Buddhist Era, for example 15/1/2567 or 15 Jan 67."))


def _gregorian(year_text: str, today: dt.date) -> int:
    """The Gregorian year of a typed Buddhist Era year (two digits mean 25xx)."""
    year = int(year_text)
    if len(year_text) == 2:
        year += (today.year + BE_OFFSET) // 100 * 100
    if year < 2400:
        raise AnswerError(N_("Please type the year in the Buddhist Era, for example 2567."))
    return year - BE_OFFSET


def _month(word: str) -> int | None:
    """The month number of a Thai or English month name or abbreviation."""
    folded = word.casefold().replace(" ", "")
    for number, (abbr, full, english) in enumerate(MONTHS, start=1):
        if folded in (abbr, abbr.replace(".", ""), full, english) or (len(folded) > 3 and english.startswith(folded[:3]) and folded.isascii()):
            return number
    return None


def _date(year: int, month: int, day: int) -> dt.date:
    """A calendar date, or an AnswerError for 31/2 and the like."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise AnswerError(N_("There is no such date. Please check the day and the month.")) from None


def format_date_be(day: dt.date) -> str:
    """15 ม.ค. 2567: the Thai way to show a date."""
    return f"{day.day} {MONTHS[day.month - 1][0]} {day.year + BE_OFFSET}"


def parse_numbers(text: str, count: int) -> list[int]:
    """Choice numbers typed as "1 3 5" or "1,3,5" (each from 1 to count, order kept, no repeats)."""
    cleaned = normalize_digits(text)
    parts = [p for p in re.split(r"[\s,、]+", cleaned) if p]
    if not parts or not all(is_small_number(p) for p in parts):
        raise AnswerError(N_("Please type the numbers of the items, for example 1 3 5."))
    numbers: list[int] = []
    for part in parts:
        value = int(part)
        if not 1 <= value <= count:
            raise AnswerError(N_("Please type numbers from 1 to {count}."), {"count": count})
        if value not in numbers:
            numbers.append(value)
    return numbers


def parse_text(text: str, max_length: int) -> str:
    """Free text, trimmed, not empty and not too long."""
    cleaned = " ".join(text.split()) if "\n" not in text else text.strip()
    if not cleaned:
        raise AnswerError(N_("Please type an answer."))
    if len(cleaned) > max_length:
        raise AnswerError(N_("The answer is too long: at most {max} characters, please."), {"max": max_length})
    return cleaned
