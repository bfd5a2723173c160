"""Subjects and weekly hours per grade, after the Russian federal curriculum (ФОП)."""

from __future__ import annotations

from dataclasses import dataclass

# Subject id → (name, short name, the kind of teacher who teaches it).
SUBJECTS: dict[str, tuple[str, str, str]] = {
    "RUS": ("Русский язык", "Рус. яз.", "russian"),
    "LITR": ("Литературное чтение", "Лит. чт.", "primary"),
    "LIT": ("Литература", "Лит-ра", "russian"),
    "ENG": ("Английский язык", "Англ. яз.", "english"),
    "MATH": ("Математика", "Матем.", "math"),
    "ALG": ("Алгебра", "Алгебра", "math"),
    "GEOM": ("Геометрия", "Геом.", "math"),
    "STAT": ("Вероятность и статистика", "Вер. и стат.", "math"),
    "INF": ("Информатика", "Информ.", "informatics"),
    "WORLD": ("Окружающий мир", "Окр. мир", "primary"),
    "ORKSE": ("Основы религиозных культур и светской этики", "ОРКСЭ", "primary"),
    "HIST": ("История", "История", "history"),
    "SOC": ("Обществознание", "Общество", "history"),
    "GEO": ("География", "Геогр.", "geography"),
    "BIO": ("Биология", "Биол.", "biology"),
    "PHYS": ("Физика", "Физика", "physics"),
    "CHEM": ("Химия", "Химия", "chemistry"),
    "MUS": ("Музыка", "Музыка", "music"),
    "ART": ("Изобразительное искусство", "ИЗО", "art"),
    "TECH": ("Труд (технология)", "Труд", "technology"),
    "PE": ("Физическая культура", "Физ-ра", "pe"),
    "OBZR": ("Основы безопасности и защиты Родины", "ОБЗР", "obzr"),
}
# In primary school the class's own teacher teaches these, whatever the subject's usual kind.
PRIMARY_OWN = {"RUS", "LITR", "MATH", "WORLD", "ORKSE", "ART", "TECH"}
# Subjects taught in two sub-groups, from the given grade.
SPLIT_FROM = {"ENG": 2, "INF": 7}

_PRIMARY = {"RUS": 5, "LITR": 4, "MATH": 4, "WORLD": 2, "MUS": 1, "ART": 1, "TECH": 1, "PE": 3}
HOURS: dict[int, dict[str, int]] = {
    1: dict(_PRIMARY),
    2: {**_PRIMARY, "ENG": 2},
    3: {**_PRIMARY, "ENG": 2},
    4: {**_PRIMARY, "RUS": 4, "LITR": 3, "ENG": 2, "ORKSE": 1},
    5: {
        "RUS": 5,
        "LIT": 3,
        "ENG": 3,
        "MATH": 5,
        "HIST": 2,
        "GEO": 1,
        "BIO": 1,
        "MUS": 1,
        "ART": 1,
        "TECH": 2,
        "PE": 2,
    },
    6: {
        "RUS": 6,
        "LIT": 3,
        "ENG": 3,
        "MATH": 5,
        "HIST": 2,
        "SOC": 1,
        "GEO": 1,
        "BIO": 1,
        "MUS": 1,
        "ART": 1,
        "TECH": 2,
        "PE": 2,
    },
    7: {
        "RUS": 4,
        "LIT": 2,
        "ENG": 3,
        "ALG": 3,
        "GEOM": 2,
        "STAT": 1,
        "INF": 1,
        "HIST": 2,
        "SOC": 1,
        "GEO": 2,
        "BIO": 1,
        "PHYS": 2,
        "MUS": 1,
        "ART": 1,
        "TECH": 2,
        "PE": 2,
    },
    8: {
        "RUS": 3,
        "LIT": 2,
        "ENG": 3,
        "ALG": 3,
        "GEOM": 2,
        "STAT": 1,
        "INF": 1,
        "HIST": 2,
        "SOC": 1,
        "GEO": 2,
        "BIO": 2,
        "PHYS": 2,
        "CHEM": 2,
        "MUS": 1,
        "TECH": 1,
        "OBZR": 1,
        "PE": 2,
    },
    9: {
        "RUS": 3,
        "LIT": 3,
        "ENG": 3,
        "ALG": 3,
        "GEOM": 2,
        "STAT": 1,
        "INF": 1,
        "HIST": 2,
        "SOC": 1,
        "GEO": 2,
        "BIO": 2,
        "PHYS": 3,
        "CHEM": 2,
        "TECH": 1,
        "OBZR": 1,
        "PE": 2,
    },
    10: {
        "RUS": 2,
        "LIT": 3,
        "ENG": 3,
        "ALG": 3,
        "GEOM": 2,
        "STAT": 1,
        "INF": 1,
        "HIST": 2,
        "SOC": 2,
        "GEO": 1,
        "BIO": 1,
        "PHYS": 2,
        "CHEM": 1,
        "OBZR": 1,
        "PE": 2,
    },
    11: {
        "RUS": 2,
        "LIT": 3,
        "ENG": 3,
        "ALG": 3,
        "GEOM": 2,
        "STAT": 1,
        "INF": 1,
        "HIST": 2,
        "SOC": 2,
        "GEO": 1,
        "BIO": 1,
        "PHYS": 2,
        "CHEM": 1,
        "OBZR": 1,
        "PE": 2,
    },
}
MAX_PERIODS = {1: 5, 2: 5, 3: 5, 4: 5, 5: 6, 6: 6, 7: 7, 8: 7, 9: 7, 10: 7, 11: 7}

TOPICS: dict[str, tuple[str, ...]] = {
    "RUS": (
        "Орфограммы в корне слова",
        "Сложноподчинённое предложение",
        "Причастный оборот",
        "Деепричастный оборот",
        "Правописание НЕ с разными частями речи",
        "Знаки препинания при обращении",
        "Морфологический разбор",
    ),
    "LIT": (
        "А. С. Пушкин. «Капитанская дочка»",
        "М. Ю. Лермонтов. «Мцыри»",
        "Н. В. Гоголь. «Ревизор»",
        "Лирика Ф. И. Тютчева",
        "И. С. Тургенев. «Муму»",
    ),
    "LITR": ("Сказки народов России", "Басни И. А. Крылова", "Стихи о природе"),
    "MATH": (
        "Обыкновенные дроби",
        "Десятичные дроби",
        "Проценты",
        "Уравнения",
        "Площадь прямоугольника",
        "Сложение и вычитание в пределах 100",
    ),
    "ALG": (
        "Квадратные уравнения",
        "Теорема Виета",
        "Линейная функция",
        "Степень с целым показателем",
        "Системы уравнений",
        "Арифметическая прогрессия",
    ),
    "GEOM": (
        "Признаки равенства треугольников",
        "Параллельные прямые",
        "Теорема Пифагора",
        "Подобие треугольников",
        "Вписанная окружность",
    ),
    "STAT": ("Случайные события", "Среднее арифметическое и медиана", "Диаграммы"),
    "INF": (
        "Алгоритмы и исполнители",
        "Системы счисления",
        "Электронные таблицы",
        "Программирование на Python: циклы",
    ),
    "ENG": (
        "Present Simple and Present Continuous",
        "My family",
        "Travelling",
        "Past Simple",
        "School life",
    ),
    "WORLD": ("Природные сообщества", "Человек и природа", "Наша Родина — Россия"),
    "ORKSE": ("Культура и мораль", "Светская этика"),
    "HIST": (
        "Смутное время",
        "Петровские преобразования",
        "Древний Египет",
        "Эпоха Великих географических открытий",
    ),
    "SOC": ("Человек и общество", "Права и обязанности граждан", "Экономика семьи"),
    "GEO": ("Литосфера", "Атмосфера", "Климат России", "Природные зоны"),
    "BIO": ("Строение клетки", "Царство растений", "Системы органов человека"),
    "PHYS": (
        "Механическое движение",
        "Плотность вещества",
        "Давление",
        "Законы Ньютона",
        "Электрический ток",
    ),
    "CHEM": (
        "Строение атома",
        "Периодический закон Д. И. Менделеева",
        "Химические реакции",
        "Растворы",
    ),
    "MUS": ("Музыка народов России", "Жанры музыки"),
    "ART": ("Натюрморт", "Пейзаж", "Декоративно-прикладное искусство"),
    "TECH": ("Технологии обработки материалов", "Основы черчения", "Робототехника"),
    "PE": ("Лёгкая атлетика", "Баскетбол", "Волейбол", "Гимнастика", "Лыжная подготовка"),
    "OBZR": ("Безопасность в быту", "Первая помощь", "Защита Родины"),
}


@dataclass(frozen=True, slots=True)
class Need:
    """One subject a class studies: weekly hours, and how many groups (1, or 2 when split)."""

    subject: str
    hours: int
    groups: int


def needs(grade: int) -> list[Need]:
    return [
        Need(subject, hours, 2 if grade >= SPLIT_FROM.get(subject, 99) else 1)
        for subject, hours in HOURS[grade].items()
    ]


def teacher_kind(subject: str, grade: int) -> str:
    if grade <= 4 and subject in PRIMARY_OWN:
        return "primary"
    return SUBJECTS[subject][2]
