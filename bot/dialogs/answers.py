"""Parse and check typed answers: pure functions from text to a canonical value or an AnswerError.

Thai users type Thai digits (๐–๙), dashes in ID numbers, "5,000 บาท" for money and
Buddhist Era dates; every parser accepts those. The Thai words here (month names,
"บาท") are input grammar, like the digit table, not texts the bot says.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from bot.dialogs.prompts import Msg
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


def mask_national_id(digits: str) -> str:
    """x-xxxx-xxxxx-12-3: enough to tell two cards apart in the chat, not enough to use one."""
    return f"x-xxxx-xxxxx-{digits[10:12]}-{digits[12]}" if len(digits) == 13 else "x" * len(digits)


def parse_house_code(text: str) -> str:
    """An 11-digit DOPA house code."""
    digits = digits_only(text)
    if not digits.isdigit() or len(digits) != 11:
        raise AnswerError(N_("A house code has 11 digits; you typed {count}."), {"count": sum(c.isdigit() for c in digits)})
    return digits


MOBILE_PREFIXES = ("06", "08", "09")
LANDLINE_PREFIXES = ("02", "03", "04", "05", "07")
# "ต่อ 123", "ext. 123", "#123": an office extension after the number.
EXTENSION = re.compile(r"(?:ต่อ|ext\.?|#)\s*(\d{1,5})$")
PHONE_FORMAT = N_("A phone number is a mobile number of 10 digits starting with 06, 08 or 09, or a landline number of 9 digits starting with 02 to 07.")


def parse_phone(text: str) -> str:
    """A Thai phone number: 10 digits for a mobile (06, 08, 09), 9 for a landline (02 to 07).

    "+66 81 234 5678" and "66812345678" are turned into 0812345678; an extension
    ("ต่อ 123") is kept as "021234567;ext=123" (the tel: URI way of writing it).
    """
    cleaned = normalize_digits(text).casefold()
    extension = EXTENSION.search(cleaned)
    if extension:
        cleaned = cleaned[: extension.start()]
    digits = re.sub(r"[\s\-–.()]", "", cleaned)
    international = re.fullmatch(r"(?:\+66|66(?=\d{8,9}$))(\d+)", digits)
    if international:
        digits = international[1] if international[1].startswith("0") else "0" + international[1]
    if not digits.isdecimal() or not digits.startswith(MOBILE_PREFIXES + LANDLINE_PREFIXES):
        raise AnswerError(PHONE_FORMAT)
    if digits.startswith(MOBILE_PREFIXES) and len(digits) != 10:
        raise AnswerError(N_("A mobile number has 10 digits (starting with 06, 08 or 09); you typed {count}. Please check the number."), {"count": len(digits)})
    if digits.startswith(LANDLINE_PREFIXES) and len(digits) != 9:
        raise AnswerError(N_("A landline number has 9 digits (starting with 02 to 07); you typed {count}. Please check the number."), {"count": len(digits)})
    return f"{digits};ext={extension[1]}" if extension else digits


def format_phone(value: str) -> tuple[str, str | None]:
    """A stored phone number as people write it (081-234-5678, 02-123-4567, 053-123-456), and its extension."""
    number, _sep, extension = value.partition(";ext=")
    if len(number) == 10:
        shown = f"{number[:3]}-{number[3:6]}-{number[6:]}"
    elif len(number) == 9:
        cut = 2 if number.startswith("02") else 3
        shown = f"{number[:cut]}-{number[cut:cut + 3]}-{number[cut + 3:]}"
    else:
        shown = number
    return shown, extension or None


def mask_phone(value: str) -> tuple[str, str | None]:
    """A stored phone number shown in the chat: its first two digits and last group only (08x-xxx-5678)."""
    shown, extension = format_phone(value)
    groups = shown.split("-")
    if len(groups) != 3:
        return "x" * max(len(shown) - 4, 0) + shown[-4:], extension
    first, middle, last = groups
    return f"{first[:2]}{'x' * (len(first) - 2)}-{'x' * len(middle)}-{last}", extension


def parse_integer(text: str, low: int, high: int, words: tuple[str, ...] = ()) -> int:
    """A whole number within [low, high] ("1,200" accepted), with the question's words around it ("4 คน", "หมู่ที่ 10")."""
    cleaned = strip_words(normalize_digits(text), words).replace(",", "").replace(" ", "")
    if not is_small_number(cleaned.removeprefix("-"), 15):
        raise AnswerError(N_("Please type a number from {low} to {high}."), {"low": low, "high": high})
    value = int(cleaned)
    if not low <= value <= high:
        raise AnswerError(N_("Please type a number from {low} to {high}."), {"low": low, "high": high})
    return value


def strip_words(text: str, words: tuple[str, ...]) -> str:
    """The text without one of the words before it and one after it (longest first: "หมู่ที่" before "หมู่")."""
    folded = " ".join(text.split()).casefold()
    for word in sorted((w.casefold() for w in words), key=len, reverse=True):
        if folded.startswith(word):
            folded = folded[len(word):].strip()
            break
    for word in sorted((w.casefold() for w in words), key=len, reverse=True):
        if folded.endswith(word):
            folded = folded[: -len(word)].strip()
            break
    return folded


# Thai counting words people use for amounts: "5 พัน", "1.5 หมื่น", "2 หมื่น 5 พัน".
MULTIPLIERS = {"ล้าน": 1_000_000, "แสน": 100_000, "หมื่น": 10_000, "พัน": 1_000}
APPROXIMATELY = ("ประมาณ", "ราวๆ", "ราว", "about", "approx.", "approx", "~")
NOTHING = ("ไม่มีรายได้", "ไม่มี", "none", "nothing")
# The period an amount is typed for: "/เดือน", "ต่อเดือน", "เดือนละ", "a month"...
PERIOD_WORDS = {"month": ("เดือน", "ด.", "month"), "year": ("ปี", "year"), "day": ("วัน", "day")}
PERIODS_PER_YEAR = {"month": 12, "year": 1}
PERIOD_NAMES = {"month": N_("month"), "year": N_("year"), "day": N_("day")}


@dataclass(frozen=True)
class Amount:
    """An amount read from a typed answer, in the question's period."""

    baht: int
    # The amount and its period as typed, when the typed period was converted (60,000 a year for 5,000 a month).
    typed: int | None = None
    typed_period: str | None = None
    # True when words were read (5 พัน, ประมาณ, ไม่มีรายได้, a period): the value is said back.
    interpreted: bool = False


def parse_money(text: str, low: int, high: int, per: str | None = None) -> int:
    """An amount in whole baht ("5,000", "5000 บาท", "5,000.50" rounded, "5 พัน")."""
    return parse_amount(text, low, high, per).baht


def parse_amount(text: str, low: int, high: int, per: str | None = None) -> Amount:
    """An amount in whole baht per the question's period (month or year), converting another typed period."""
    cleaned = " ".join(normalize_digits(text).casefold().split())
    interpreted = False
    for word in APPROXIMATELY:
        if cleaned.startswith(word):
            cleaned, interpreted = cleaned[len(word):].strip(), True
    if cleaned.replace(" ", "") in NOTHING:
        return _in_range(Amount(0, interpreted=True), low, high)
    typed_period, cleaned = _period(cleaned)
    for word in BAHT_WORDS:
        cleaned = cleaned.replace(word, "")
    # "3,000.-" is how amounts are written on Thai forms and receipts.
    cleaned = re.sub(r"\.?-$", "", cleaned.replace(",", "").replace(" ", ""))
    value, counted = _baht(cleaned)
    if value is None:
        raise AnswerError(N_("Please type an amount in baht, for example 5,000."), {})
    if typed_period == "day":
        raise AnswerError(N_("Please type the amount per {period}; for a daily wage, multiply it by the days worked."), {"period": Msg(PERIOD_NAMES[per or "month"])})
    amount = Amount(value, interpreted=interpreted or counted or typed_period is not None)
    if typed_period and per and typed_period != per:
        converted = Decimal(value) * PERIODS_PER_YEAR[typed_period] / PERIODS_PER_YEAR[per]
        amount = Amount(int(converted.quantize(Decimal(1), rounding=ROUND_HALF_UP)), value, typed_period, True)
    return _in_range(amount, low, high)


def _period(text: str) -> tuple[str | None, str]:
    """The period named in an amount ("/เดือน", "ต่อปี", "วันละ") and the text without it."""
    for period, words in PERIOD_WORDS.items():
        for word in words:
            escaped = re.escape(word)
            match = re.search(rf"(?:/|ต่อ|per|a)\s*{escaped}\s*$", text) or re.match(rf"^{escaped}ละ\s*", text)
            if match:
                return period, (text[: match.start()] + text[match.end():]).strip()
    return None, text


def _baht(cleaned: str) -> tuple[int | None, bool]:
    """Whole baht from "5000", "5000.50" or counting words ("1.5หมื่น", "2หมื่น5พัน"); True when words were counted."""
    if len(cleaned) > 24:  # Decimal.quantize refuses more than 28 digits: too long to be an amount anyway
        return None, False
    if re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        return int(Decimal(cleaned).quantize(Decimal(1), rounding=ROUND_HALF_UP)), False
    parts = re.findall(r"(\d+(?:\.\d+)?)(ล้าน|แสน|หมื่น|พัน)", cleaned)
    if not parts or "".join(n + w for n, w in parts) != cleaned:
        return None, False
    sizes = [MULTIPLIERS[w] for _n, w in parts]
    # "2 หมื่น 5 พัน" counts down; "5 พัน 2 หมื่น" is a typing slip, not 25,000.
    if sizes != sorted(set(sizes), reverse=True):
        return None, False
    total = sum(Decimal(n) * MULTIPLIERS[w] for n, w in parts)
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP)), True


def _in_range(amount: Amount, low: int, high: int) -> Amount:
    """The amount, or an AnswerError when it is outside [low, high]."""
    if not low <= amount.baht <= high:
        raise AnswerError(N_("Please type an amount from {low} to {high} baht."), {"low": f"{low:,}", "high": f"{high:,}"})
    return amount


def parse_birth_year(text: str, this_year_be: int, max_age: int = 120) -> int:
    """A birth year in the Buddhist Era, from a BE year (2510, พ.ศ. 2510) or an age (56, อายุ 56 ปี, 6 เดือน)."""
    return read_birth_year(text, this_year_be, max_age)[0]


def read_birth_year(text: str, this_year_be: int, max_age: int = 120) -> tuple[int, int | None]:
    """The birth year (Buddhist Era) and, when an age was typed, that age in whole years."""
    cleaned = normalize_digits(text).replace(",", "").replace(" ", "")
    cleaned = re.sub(r"^(ปี)?(พ\.ศ\.|พ\.ศ|พศ\.?)", "", cleaned)
    said_age = cleaned.startswith("อายุ")
    cleaned = cleaned.removeprefix("อายุ")
    # "73 ปี 6 เดือน" is 73; "6 เดือน" is a baby of 0 years.
    years_months = re.fullmatch(r"(\d{1,3})(?:ปี|ขวบ)(?:(\d{1,2})เดือน)?", cleaned)
    months = re.fullmatch(r"(\d{1,4})เดือน", cleaned)
    if years_months:
        age = int(years_months[1])
    elif months:
        age = int(months[1]) // 12
    elif is_small_number(cleaned):
        value = int(cleaned)
        if value <= max_age or said_age:
            age = value
        elif this_year_be - BE_OFFSET - max_age <= value <= this_year_be - BE_OFFSET:
            raise AnswerError(N_("{year} looks like a Christian Era year. Please type the Buddhist Era year ({be}) or the age."), {"year": value, "be": value + BE_OFFSET})
        elif this_year_be - max_age <= value <= this_year_be:
            return value, None
        else:
            raise AnswerError(N_("Please type a year of birth from {low} to {high} (Buddhist Era) or an age from 0 to {max_age}."), {"low": this_year_be - max_age, "high": this_year_be, "max_age": max_age})
    else:
        raise AnswerError(N_("Please type the year of birth in the Buddhist Era (e.g. 2510) or the age in years (e.g. 56)."))
    if age > max_age:
        raise AnswerError(N_("Please type a year of birth from {low} to {high} (Buddhist Era) or an age from 0 to {max_age}."), {"low": this_year_be - max_age, "high": this_year_be, "max_age": max_age})
    return this_year_be - age, age


# Days named relative to today, as people say them.
RELATIVE_DAYS = {"วันนี้": 0, "today": 0, "เมื่อวาน": 1, "เมื่อวานนี้": 1, "yesterday": 1, "เมื่อวานซืน": 2}


def parse_date(text: str, today: dt.date) -> dt.date:
    """A date: ISO from LINE's date picker, typed in the Buddhist Era (15/1/2567, 15 ม.ค. 67) or เมื่อวาน."""
    cleaned = normalize_digits(text)
    relative = RELATIVE_DAYS.get(cleaned.replace(" ", "").casefold())
    if relative is not None:
        return today - dt.timedelta(days=relative)
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", cleaned)
    if iso:
        return _date(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = re.fullmatch(r"(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{2}|\d{4})", cleaned)
    if numeric:
        return _date(_gregorian(numeric[3], today), int(numeric[2]), int(numeric[1]))
    named = re.fullmatch(r"(\d{1,2})\s*([^\d\s]+?)\s*(?:พ\.\s*ศ\.?\s*)?(\d{2}|\d{4})", cleaned)
    if named:
        month = _month(named[2])
        if month:
            return _date(_gregorian(named[3], today), month, int(named[1]))
    raise AnswerError(N_("Please type the date as day/month/year in the Buddhist Era, or \"today\" or \"yesterday\"."))


def _gregorian(year_text: str, today: dt.date) -> int:
    """The Gregorian year of a typed Buddhist Era year (two digits mean 25xx)."""
    year = int(year_text)
    if len(year_text) == 2:
        year += (today.year + BE_OFFSET) // 100 * 100
    if year < 2400:
        raise AnswerError(N_("Please type the year in the Buddhist Era (it starts with 25)."))
    return year - BE_OFFSET


def _month(word: str) -> int | None:
    """The month number of a Thai or English month name or abbreviation (dots optional: ม.ค, มค, มกรา)."""
    folded = word.casefold().replace(" ", "").replace(".", "")
    found = set()
    for number, (abbr, full, english) in enumerate(MONTHS, start=1):
        if folded in (abbr.replace(".", ""), full, english) or (len(folded) > 3 and english.startswith(folded[:3]) and folded.isascii()):
            return number
        # Spoken short names: มกรา, กุมภา, พฤศจิกา.
        if len(folded) >= 4 and not folded.isascii() and full.startswith(folded):
            found.add(number)
    return found.pop() if len(found) == 1 else None


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


# Titles typed before a name: "นาย สมชาย" is still one word short of a full name.
TITLES = ("นาย", "นาง", "นางสาว", "น.ส.", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss")


def parse_person_name(text: str, max_length: int) -> str:
    """A full name: a first name and a surname (a title before them allowed), no digits."""
    name = parse_text(" ".join(text.split()), max_length)
    if any(ch.isdigit() for ch in name) or not any(ch.isalpha() for ch in name):
        raise AnswerError(N_("A name has no digits. Please type the first name and the surname."))
    words = name.split()
    if words[0].casefold() in TITLES:
        words = words[1:]
    if len(words) < 2:
        raise AnswerError(N_("Please type both the first name and the surname, with a space between them."))
    return name
