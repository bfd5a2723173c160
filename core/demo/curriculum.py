"""Subjects, weekly hours per grade and who teaches what, after the federal curriculum (ФОП)."""

from __future__ import annotations

from dataclasses import dataclass

# Subject id → (name, short name).
SUBJECTS: dict[str, tuple[str, str]] = {
    "RUS": ("Русский язык", "Рус. яз."),
    "LITR": ("Литературное чтение", "Лит. чт."),
    "LIT": ("Литература", "Лит-ра"),
    "ENG": ("Английский язык", "Англ. яз."),
    "MATH": ("Математика", "Матем."),
    "ALG": ("Алгебра", "Алгебра"),
    "GEOM": ("Геометрия", "Геом."),
    "STAT": ("Вероятность и статистика", "Вер. и стат."),
    "INF": ("Информатика", "Информ."),
    "WORLD": ("Окружающий мир", "Окр. мир"),
    "ORKSE": ("Основы религиозных культур и светской этики", "ОРКСЭ"),
    "HIST": ("История", "История"),
    "SOC": ("Обществознание", "Общество"),
    "GEO": ("География", "Геогр."),
    "BIO": ("Биология", "Биол."),
    "PHYS": ("Физика", "Физика"),
    "CHEM": ("Химия", "Химия"),
    "MUS": ("Музыка", "Музыка"),
    "ART": ("Изобразительное искусство", "ИЗО"),
    "TECH": ("Труд (технология)", "Труд"),
    "PE": ("Физическая культура", "Физ-ра"),
    "OBZR": ("Основы безопасности и защиты Родины", "ОБЗР"),
}

# In grades 1–4 the class's own teacher teaches these.
PRIMARY_OWN = frozenset({"RUS", "LITR", "MATH", "WORLD", "ORKSE", "ART", "TECH"})
# A subject teacher teaches one or two subjects: the subjects a teacher hired for X may teach.
SPECIALITY: dict[str, tuple[str, ...]] = {
    "RUS": ("RUS", "LIT"),
    "LIT": ("RUS", "LIT"),
    "ENG": ("ENG",),
    "MATH": ("MATH", "STAT"),
    "STAT": ("MATH", "STAT"),
    "ALG": ("ALG", "GEOM"),
    "GEOM": ("ALG", "GEOM"),
    "INF": ("INF",),
    "HIST": ("HIST", "SOC"),
    "SOC": ("HIST", "SOC"),
    "GEO": ("GEO",),
    "BIO": ("BIO", "CHEM"),
    "CHEM": ("BIO", "CHEM"),
    "PHYS": ("PHYS",),
    "MUS": ("MUS",),
    "ART": ("ART",),
    "TECH": ("TECH",),
    "PE": ("PE",),
    "OBZR": ("OBZR", "PE"),
}
# How likely a teacher of the speciality is a woman (Russian schools: mostly women).
FEMALE_SHARE = {"PE": 0.45, "OBZR": 0.2, "TECH": 0.5, "INF": 0.55, "PHYS": 0.65}
# Subjects taught in two sub-groups, from the given grade.
SPLIT_FROM = {"ENG": 2, "INF": 7}
# Subjects with a special room: (room name, how many weekly hours one such room serves).
SPECIAL_ROOMS = {
    "PE": ("Спортзал", 24),
    "INF": ("Кабинет информатики", 24),
    "ENG": ("Кабинет английского языка", 26),
}
# Subjects marked зачёт/незачёт rather than 1–5.
PASS_FAIL = frozenset({"ORKSE"})

_PRIMARY = {"RUS": 5, "LITR": 4, "MATH": 4, "WORLD": 2, "MUS": 1, "ART": 1, "TECH": 1, "PE": 3}
_SENIOR = {
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
}
_BASIC_COMMON = {"ENG": 3, "ALG": 3, "GEOM": 2, "STAT": 1, "INF": 1, "HIST": 2, "SOC": 1}
HOURS: dict[int, dict[str, int]] = {
    1: dict(_PRIMARY),
    2: {**_PRIMARY, "ENG": 2},
    3: {**_PRIMARY, "ENG": 2},
    4: {**_PRIMARY, "RUS": 4, "LITR": 3, "ENG": 2, "ORKSE": 1},
    5: {"RUS": 5, "LIT": 3, "ENG": 3, "MATH": 5, "HIST": 2, "GEO": 1, "BIO": 1}
    | {"MUS": 1, "ART": 1, "TECH": 2, "PE": 2},
    6: {"RUS": 6, "LIT": 3, "ENG": 3, "MATH": 5, "HIST": 2, "SOC": 1, "GEO": 1, "BIO": 1}
    | {"MUS": 1, "ART": 1, "TECH": 2, "PE": 2},
    7: {"RUS": 4, "LIT": 2, **_BASIC_COMMON, "GEO": 2, "BIO": 1, "PHYS": 2}
    | {"MUS": 1, "ART": 1, "TECH": 2, "PE": 2},
    8: {"RUS": 3, "LIT": 2, **_BASIC_COMMON, "GEO": 2, "BIO": 2, "PHYS": 2, "CHEM": 2}
    | {"MUS": 1, "TECH": 1, "OBZR": 1, "PE": 2},
    9: {"RUS": 3, "LIT": 3, **_BASIC_COMMON, "GEO": 2, "BIO": 2, "PHYS": 3, "CHEM": 2}
    | {"TECH": 1, "OBZR": 1, "PE": 2},
    10: dict(_SENIOR),
    11: dict(_SENIOR),
}
# Most periods a day (СанПиН: grade 1 at most 5, 2–4 at most 5, 5–6 six, 7–11 seven).
MAX_PERIODS = {1: 5, 2: 5, 3: 5, 4: 5, 5: 6, 6: 6, 7: 7, 8: 7, 9: 7, 10: 7, 11: 7}
WEEKS = 34  # teaching weeks a year (33 in grade 1)

# Work types: id, name, short name, weight, control work.
WORK_TYPES = (
    ("ANS", "Ответ на уроке", "Отв", "1", ""),
    ("SELF", "Самостоятельная работа", "С/р", "1", ""),
    ("HOME", "Домашняя работа", "Д/з", "1", ""),
    ("CHECK", "Проверочная работа", "П/р", "1.5", ""),
    ("LAB", "Лабораторная работа", "Л/р", "1", ""),
    ("PRAC", "Практическая работа", "Пр/р", "1", ""),
    ("NORM", "Сдача нормативов", "Норм", "1", ""),
    ("TEST", "Контрольная работа", "К/р", "2", "1"),
    ("DICT", "Диктант", "Дикт", "2", "1"),
    ("ESSAY", "Сочинение", "Соч", "2", "1"),
)


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


def is_primary_own(subject: str, grade: int) -> bool:
    return grade <= 4 and subject in PRIMARY_OWN
