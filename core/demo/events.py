"""The school's calendar: the year's fixed dates, and class and staff events near today."""

from __future__ import annotations

import random
from datetime import date, timedelta

from core.demo.calendar import Year
from core.demo.classes import Klass

WINDOW_BEFORE, WINDOW_AFTER = 21, 35  # days around today with class and staff events
CLASS_OUTINGS = (
    ("Экскурсия в краеведческий музей", "Музей истории Лангепаса", "10:00"),
    ("Классный час «Профессии будущего»", "", "13:00"),
    ("Поход в кинотеатр", "Кинотеатр «Октябрь»", "15:00"),
    ("Посещение Ледового дворца", "Ледовый дворец", "16:00"),
    ("Классный час «Безопасность в интернете»", "", "13:00"),
)


def _weekday_on_or_before(day: date) -> date:
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    return day


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    day = date(year, month, 1)
    day += timedelta(days=(weekday - day.isoweekday()) % 7)
    return day + timedelta(weeks=n - 1)


def events(
    rng: random.Random, year: Year, today: date, classes: list[Klass]
) -> list[dict[str, str]]:
    y = year.start_year
    rows: list[dict[str, str]] = []

    def add(
        day: date,
        title: str,
        audience: str,
        time: str = "",
        place: str = "",
        klass: Klass | None = None,
        end: date | None = None,
        description: str = "",
    ) -> None:
        row = {
            "id": f"EV{day:%y%m%d}-{len(rows) + 1:04d}",
            "title": title,
            "start": day.isoformat(),
            "audience": audience,
        }
        for name, value in (
            ("end", end.isoformat() if end else ""),
            ("time", time),
            ("place", place),
            ("class", klass.id if klass else ""),
            ("description", description),
        ):
            if value:
                row[name] = value
        rows.append(row)

    hall, yard = "Актовый зал", "Школьный двор"
    add(date(y, 9, 1), "Торжественная линейка «День знаний»", "school", "09:00", yard)
    add(_nth_weekday(y, 9, 4, 2), "Общешкольное родительское собрание", "school", "18:00", hall)
    add(
        _weekday_on_or_before(date(y, 10, 5)),
        "Праздничный концерт ко Дню учителя",
        "school",
        "12:30",
        hall,
    )
    add(
        date(y, 10, 13),
        "Школьный этап всероссийской олимпиады школьников",
        "school",
        "14:00",
        "Кабинеты 301–310",
        end=date(y, 10, 24),
    )
    mothers_day = date(y, 11, 30) - timedelta(days=date(y, 11, 30).isoweekday() % 7)
    add(mothers_day - timedelta(days=2), "Концерт ко Дню матери", "school", "17:30", hall)
    add(
        date(y, 11, 16),
        "Муниципальный этап всероссийской олимпиады школьников",
        "school",
        place="Гимназия и школы города",
        end=date(y, 12, 12),
    )
    winter = next(h for h in year.holidays if h.id.endswith("WINTER")).dates.start
    add(
        _weekday_on_or_before(winter - timedelta(days=1)),
        "Новогодний бал для 8–11 классов",
        "school",
        "18:00",
        hall,
    )
    add(date(y + 1, 1, 27), "Урок памяти «Блокада Ленинграда»", "school", "08:00")
    add(
        _weekday_on_or_before(date(y + 1, 2, 20)),
        "Смотр строя и песни",
        "school",
        "12:00",
        "Спортзал 1",
    )
    add(
        _weekday_on_or_before(date(y + 1, 3, 6)),
        "Праздничный концерт к 8 Марта",
        "school",
        "15:00",
        hall,
    )
    add(
        _weekday_on_or_before(date(y + 1, 4, 12)),
        "Гагаринский урок «Космос — это мы»",
        "school",
        "08:00",
    )
    add(
        _weekday_on_or_before(date(y + 1, 5, 8)),
        "Урок мужества ко Дню Победы",
        "school",
        "10:00",
        hall,
    )
    add(_weekday_on_or_before(date(y + 1, 5, 25)), "Последний звонок", "school", "10:00", yard)
    for klass in classes:
        if klass.grade == 11:  # the final essay is the first Wednesday of December
            add(
                _nth_weekday(y, 12, 3, 1),
                "Итоговое сочинение",
                "class",
                "10:00",
                "Кабинет 301",
                klass,
                description="Допуск к ЕГЭ. Взять паспорт и чёрную гелевую ручку.",
            )
        if klass.grade == 9:  # the oral interview is the second Wednesday of February
            add(
                _nth_weekday(y + 1, 2, 3, 2),
                "Итоговое собеседование по русскому языку",
                "class",
                "09:00",
                f"Кабинет {klass.room}",
                klass,
                description="Допуск к ОГЭ.",
            )
        if klass.grade <= 4:
            add(
                _weekday_on_or_before(winter - timedelta(days=2 + klass.grade)),
                "Новогодний утренник",
                "class",
                "11:00" if klass.shift == 1 else "17:30",
                hall,
                klass,
            )

    # Near today: the term's parents' meetings, councils, weekly staff meetings, outings.
    first, last = today - timedelta(days=WINDOW_BEFORE), today + timedelta(days=WINDOW_AFTER)
    for quarter in year.quarters:
        council = quarter.dates.end + timedelta(days=1)  # the first weekday of the holidays
        while council.isoweekday() > 5:
            council += timedelta(days=1)
        title = f"Педагогический совет по итогам {quarter.number} четверти"
        if quarter.number % 2 == 0:
            title += f" и {quarter.number // 2} полугодия"
        if first <= council <= last:
            add(council, title, "staff", "10:00", "Кабинет 201")
    for index, klass in enumerate(classes):
        term = year.term_of(klass.grade, today)
        day = _weekday_on_or_before(term.dates.end - timedelta(days=10 + index % 5))
        if first <= day <= last:
            add(
                day,
                "Родительское собрание",
                "class",
                "18:00",
                f"Кабинет {klass.room}",
                klass,
                description=f"Итоги {'четверти' if term.kind == 'quarter' else 'полугодия'}.",
            )
        if rng.random() < 0.2:
            title, place, time = rng.choice(CLASS_OUTINGS)
            day = _weekday_on_or_before(today + timedelta(days=rng.randint(-WINDOW_BEFORE, 20)))
            if year.is_school_day(day, klass.grade):
                add(day, title, "class", time, place or f"Кабинет {klass.room}", klass)
    monday = today - timedelta(days=today.isoweekday() - 1)
    for week in range(-2, 5):
        day = monday + timedelta(weeks=week)
        if day in year.span:
            add(day, "Совещание при директоре", "staff", "14:30", "Кабинет директора")
    rows.sort(key=lambda r: (r["start"], r["id"]))
    return rows
