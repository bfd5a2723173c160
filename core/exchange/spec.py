"""The tables of the exchange format: their columns, types, references and header aliases.

Canonical names are English; aliases are the headings schools actually write. Headers are
compared after `normalize_header` (case, ё/е, spaces and trailing punctuation do not matter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    DATE = "date"
    TIME = "time"
    PHONE = "phone"
    EMAIL = "email"
    WEEKDAY = "weekday"
    WEEKDAYS = "weekdays"  # a set of weekdays: пн, вт-пт
    GRADES = "grades"  # a set of grades: 5, 6,8, 9-11
    CLASS_NAME = "class_name"
    MARK = "mark"
    ATTENDANCE_CODE = "attendance_code"
    TERM_KIND = "term_kind"
    ATTESTATION_KIND = "attestation_kind"
    CHANGE_KIND = "change_kind"
    RELATION = "relation"
    AUDIENCE = "audience"
    ROLES = "roles"  # a list of roles
    TIMEZONE = "timezone"
    REF = "ref"  # the id (or, for some tables, the name) of a row in another table
    REFS = "refs"  # a list of such ids
    URLS = "urls"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    ref: str | None = None  # the referenced table for REF/REFS


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    # Columns that make up the row's id when the file has no id column (a substitution sheet
    # never has one). None: the id column is required.
    natural_key: tuple[str, ...] | None = None
    # Columns added to the natural key only when one of them is filled, so that a row without
    # them keeps the key it had before they existed (a plain bells row stays `1|1`).
    key_qualifiers: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        # Called for every cell of an import: a dict per table, built on the first call.
        entry = _COLUMN_INDEX.get(id(self.columns))
        if entry is None or entry[0] is not self.columns:
            entry = _COLUMN_INDEX[id(self.columns)] = (
                self.columns,
                {c.name: c for c in self.columns},
            )
        return entry[1][name]


# id(Table.columns) → (the tuple, kept alive so that its id stays its own; name → column).
_COLUMN_INDEX: dict[int, tuple[tuple[Column, ...], dict[str, Column]]] = {}


def _id(required: bool = True) -> Column:
    return Column("id", required=required, aliases=("ид", "идентификатор", "код", "external_id"))


DELETED = Column("deleted", Kind.BOOL, aliases=("удален", "удалить", "удалено"))
NAME_COLUMNS = (
    Column("last_name", required=True, aliases=("фамилия", "surname")),
    Column("first_name", required=True, aliases=("имя", "name first")),
    Column("middle_name", aliases=("отчество", "patronymic")),
)
CONTACTS = (
    Column("phone", Kind.PHONE, aliases=("телефон", "тел", "мобильный телефон", "phone number")),
    Column("email", Kind.EMAIL, aliases=("e-mail", "почта", "электронная почта", "эл почта")),
)


def _ref(name: str, table: str, *aliases: str, required: bool = False) -> Column:
    return Column(name, Kind.REF, required=required, aliases=aliases, ref=table)


_CLASS = ("класс", "class_name", "class name")
_GROUP = ("группа", "подгруппа", "group_name")
_SUBJECT = ("предмет", "дисциплина", "subject_name")
_TEACHER = ("учитель", "преподаватель", "педагог")
_STUDENT = ("ученик", "обучающийся", "учащийся", "student_id")
_DATE = ("дата",)
_PERIOD = ("урок", "номер урока", "№ урока", "lesson number")
_ROOM = ("кабинет", "каб", "аудитория")
_START = ("начало", "дата начала", "с", "from", "starts", "start_date")
_END = ("окончание", "конец", "дата окончания", "по", "to", "ends", "end_date")


TABLES: tuple[Table, ...] = (
    Table(
        "school",
        (
            _id(),
            Column("name", required=True, aliases=("название", "наименование")),
            Column("short_name", aliases=("краткое название", "краткое наименование")),
            Column("timezone", Kind.TIMEZONE, aliases=("часовой пояс",)),
            Column("days_per_week", Kind.INT, aliases=("дней в неделе", "учебных дней")),
            Column("threshold_5", Kind.DECIMAL, aliases=("порог 5",)),
            Column("threshold_4", Kind.DECIMAL, aliases=("порог 4",)),
            Column("threshold_3", Kind.DECIMAL, aliases=("порог 3",)),
            Column(
                "edit_days",
                Kind.INT,
                aliases=("дней на исправление", "окно исправлений", "дней для правки"),
            ),
            Column("sou_weight_7_on_not_attested", Kind.BOOL, aliases=("соу 7 на н/а",)),
            Column("n_counts_not_attested", Kind.BOOL, aliases=("н/а в n", "n с н/а")),
            Column("n_counts_exempt", Kind.BOOL, aliases=("осв в n", "n с осв")),
            Column(
                "progress_class_average",
                Kind.BOOL,
                aliases=("средний по классу", "линия класса"),
            ),
            Column("risk_average_fall", Kind.DECIMAL, aliases=("падение среднего",)),
            Column("risk_absence_percent", Kind.INT, aliases=("процент пропусков", "пропуски %")),
            Column("risk_min_marks", Kind.INT, aliases=("минимум отметок",)),
        ),
        aliases=("школа", "оо", "организация"),
    ),
    Table(
        "years",
        (
            _id(),
            Column("name", required=True, aliases=("название", "учебный год")),
            Column("start", Kind.DATE, required=True, aliases=_START),
            Column("end", Kind.DATE, required=True, aliases=_END),
            DELETED,
        ),
        aliases=("учебные годы", "годы", "academic_years"),
    ),
    Table(
        "terms",
        (
            _id(),
            _ref("year", "years", "учебный год", "год", required=True),
            Column("kind", Kind.TERM_KIND, required=True, aliases=("тип", "вид периода", "вид")),
            Column("number", Kind.INT, required=True, aliases=("номер", "№")),
            Column("name", aliases=("название", "период")),
            Column("start", Kind.DATE, required=True, aliases=_START),
            Column("end", Kind.DATE, required=True, aliases=_END),
            DELETED,
        ),
        aliases=("периоды", "учебные периоды", "четверти"),
    ),
    Table(
        "holidays",
        (
            _id(),
            Column("name", required=True, aliases=("название", "каникулы")),
            Column("start", Kind.DATE, required=True, aliases=_START),
            Column("end", Kind.DATE, required=True, aliases=_END),
            Column("grade_from", Kind.INT, aliases=("с параллели", "параллель с")),
            Column("grade_to", Kind.INT, aliases=("по параллель", "параллель по")),
            DELETED,
        ),
        aliases=("каникулы", "выходные"),
    ),
    Table(
        "bells",
        (
            _id(required=False),
            Column("shift", Kind.INT, required=True, aliases=("смена",)),
            Column("period", Kind.INT, required=True, aliases=_PERIOD),
            Column("start", Kind.TIME, required=True, aliases=("начало", "время начала")),
            Column(
                "end", Kind.TIME, required=True, aliases=("окончание", "конец", "время окончания")
            ),
            Column("grades", Kind.GRADES, aliases=("параллели", "параллель", "классы")),
            Column("weekdays", Kind.WEEKDAYS, aliases=("дни недели", "дни", "день недели")),
            Column("valid_from", Kind.DATE, aliases=("действует с",)),
            Column("valid_to", Kind.DATE, aliases=("действует по",)),
            DELETED,
        ),
        aliases=("звонки", "расписание звонков"),
        natural_key=("shift", "period"),
        key_qualifiers=("grades", "weekdays", "valid_from"),
    ),
    Table(
        "subjects",
        (
            _id(),
            Column("name", required=True, aliases=("название", "предмет", "наименование")),
            Column("short_name", aliases=("сокращение", "краткое название")),
            DELETED,
        ),
        aliases=("предметы", "дисциплины"),
    ),
    Table(
        "work_types",
        (
            _id(),
            Column("name", required=True, aliases=("название", "вид работы")),
            Column("short_name", aliases=("сокращение",)),
            Column("weight", Kind.DECIMAL, aliases=("вес",)),
            Column("control", Kind.BOOL, aliases=("контрольная", "контрольная работа")),
            DELETED,
        ),
        aliases=("виды работ", "виды работы", "типы работ"),
    ),
    Table(
        "staff",
        (
            _id(),
            *NAME_COLUMNS,
            *CONTACTS,
            Column("roles", Kind.ROLES, aliases=("роли", "роль", "должность")),
            Column("hired", Kind.DATE, aliases=("дата приема", "принят")),
            Column("left", Kind.DATE, aliases=("дата увольнения", "уволен")),
            DELETED,
        ),
        aliases=("сотрудники", "учителя", "педагоги", "персонал"),
    ),
    Table(
        "classes",
        (
            _id(),
            Column("name", Kind.CLASS_NAME, required=True, aliases=("класс", "название")),
            _ref("year", "years", "учебный год", "год"),
            Column("shift", Kind.INT, aliases=("смена",)),
            _ref("class_teacher", "staff", "классный руководитель", "кл руководитель"),
            Column("term_kind", Kind.TERM_KIND, aliases=("периоды", "тип периодов")),
            Column("room", aliases=_ROOM),
            DELETED,
        ),
        aliases=("классы",),
    ),
    Table(
        "groups",
        (
            _id(),
            _ref("class", "classes", *_CLASS, required=True),
            _ref("subject", "subjects", *_SUBJECT),
            Column("name", required=True, aliases=("название", "группа", "подгруппа")),
            DELETED,
        ),
        aliases=("группы", "подгруппы"),
    ),
    Table(
        "students",
        (
            _id(),
            *NAME_COLUMNS,
            Column("birth_date", Kind.DATE, aliases=("дата рождения", "др", "birthday")),
            _ref("class", "classes", *_CLASS),
            Column("class_since", Kind.DATE, aliases=("в классе с", "дата перевода")),
            *CONTACTS,
            Column("enrolled", Kind.DATE, aliases=("дата зачисления", "зачислен")),
            Column("left", Kind.DATE, aliases=("дата выбытия", "выбыл")),
            DELETED,
        ),
        aliases=("ученики", "учащиеся", "обучающиеся", "контингент"),
    ),
    Table(
        "group_members",
        (
            _ref("group", "groups", *_GROUP, required=True),
            _ref("student", "students", *_STUDENT, required=True),
            Column("joined", Kind.DATE, aliases=("с", "дата включения")),
            Column("left", Kind.DATE, aliases=("по", "дата исключения")),
            DELETED,
        ),
        aliases=("состав групп", "состав подгрупп", "члены групп"),
        natural_key=("group", "student"),
    ),
    Table(
        "guardians",
        (
            _id(),
            *NAME_COLUMNS,
            *CONTACTS,
            Column(
                "students", Kind.REFS, aliases=("дети", "ученики", "обучающиеся"), ref="students"
            ),
            Column("relation", Kind.RELATION, aliases=("кем приходится", "степень родства")),
            DELETED,
        ),
        aliases=("родители", "законные представители", "представители"),
    ),
    Table(
        "timetable",
        (
            _id(),
            _ref("class", "classes", *_CLASS, required=True),
            _ref("group", "groups", *_GROUP),
            _ref("subject", "subjects", *_SUBJECT, required=True),
            _ref("teacher", "staff", *_TEACHER),
            Column("weekday", Kind.WEEKDAY, required=True, aliases=("день недели", "день")),
            Column("period", Kind.INT, required=True, aliases=_PERIOD),
            Column("room", aliases=_ROOM),
            Column("valid_from", Kind.DATE, aliases=("действует с",)),
            Column("valid_to", Kind.DATE, aliases=("действует по",)),
            DELETED,
        ),
        aliases=("расписание", "расписание уроков"),
    ),
    Table(
        "timetable_changes",
        (
            _id(required=False),
            Column("date", Kind.DATE, required=True, aliases=_DATE),
            Column("period", Kind.INT, required=True, aliases=_PERIOD),
            _ref("class", "classes", *_CLASS, required=True),
            _ref("group", "groups", *_GROUP),
            Column("kind", Kind.CHANGE_KIND, aliases=("вид изменения", "тип", "изменение")),
            _ref("subject", "subjects", *_SUBJECT),
            _ref("new_subject", "subjects", "новый предмет", "заменяющий предмет"),
            _ref("absent_teacher", "staff", "отсутствующий учитель", "отсутствующий"),
            _ref("teacher", "staff", "заменяющий учитель", "заменяющий", "замена"),
            Column("room", aliases=_ROOM),
            Column("moved_to_date", Kind.DATE, aliases=("перенесен на дату", "перенос на")),
            Column("moved_to_period", Kind.INT, aliases=("перенесен на урок",)),
            Column("reason", aliases=("основание", "причина")),
            Column("note", aliases=("примечание", "примеч", "комментарий")),
            DELETED,
        ),
        aliases=("замены", "изменения в расписании", "изменения", "changes", "substitutions"),
        natural_key=("date", "period", "class", "group"),
    ),
    Table(
        "plan",
        (
            _id(required=False),
            _ref("class", "classes", *_CLASS, required=True),
            _ref("group", "groups", *_GROUP),
            _ref("subject", "subjects", *_SUBJECT, required=True),
            _ref("teacher", "staff", *_TEACHER),
            Column("number", Kind.INT, required=True, aliases=("№", "номер урока", "№ п/п")),
            Column("topic", required=True, aliases=("тема", "тема урока")),
            Column("hours", Kind.INT, aliases=("часы", "кол-во часов", "количество часов")),
            Column(
                "date",
                Kind.DATE,
                aliases=("дата по плану", "плановая дата", "планируемая дата", "planned_date"),
            ),
            Column("homework", aliases=("дз", "домашнее задание")),
            DELETED,
        ),
        aliases=("ктп", "тематическое планирование", "календарно-тематическое планирование"),
        natural_key=("class", "group", "subject", "number"),
    ),
    Table(
        "lessons",
        (
            _id(),
            Column("date", Kind.DATE, required=True, aliases=_DATE),
            Column("period", Kind.INT, required=True, aliases=_PERIOD),
            _ref("class", "classes", *_CLASS, required=True),
            _ref("group", "groups", *_GROUP),
            _ref("subject", "subjects", *_SUBJECT, required=True),
            _ref("teacher", "staff", *_TEACHER),
            Column("room", aliases=_ROOM),
            Column("topic", aliases=("тема", "тема урока")),
            Column("homework", aliases=("дз", "домашнее задание")),
            Column("homework_due", Kind.DATE, aliases=("дз к дате", "срок дз", "задано на")),
            DELETED,
        ),
        aliases=("уроки", "занятия", "журнал"),
    ),
    Table(
        "homework",
        (
            _id(),
            _ref("class", "classes", *_CLASS, required=True),
            _ref("group", "groups", *_GROUP),
            _ref("subject", "subjects", *_SUBJECT, required=True),
            _ref("teacher", "staff", *_TEACHER),
            _ref("student", "students", *_STUDENT),
            Column("assigned", Kind.DATE, required=True, aliases=("задано", "дата выдачи")),
            Column("due", Kind.DATE, required=True, aliases=("срок", "к дате", "сдать до")),
            Column("text", required=True, aliases=("задание", "текст", "дз")),
            _ref("lesson", "lessons", "урок"),
            Column("attachments", Kind.URLS, aliases=("вложения", "файлы", "ссылки")),
            DELETED,
        ),
        aliases=("домашние задания", "дз", "домашнее задание"),
    ),
    Table(
        "marks",
        (
            _id(),
            _ref("student", "students", *_STUDENT, required=True),
            _ref("subject", "subjects", *_SUBJECT, required=True),
            Column("date", Kind.DATE, required=True, aliases=_DATE),
            Column("value", Kind.MARK, required=True, aliases=("оценка", "отметка")),
            _ref("work_type", "work_types", "вид работы", "тип работы"),
            _ref("teacher", "staff", *_TEACHER),
            _ref("lesson", "lessons", "урок"),
            Column("comment", aliases=("комментарий", "примечание")),
            DELETED,
        ),
        aliases=("оценки", "отметки"),
    ),
    Table(
        "attendance",
        (
            _id(required=False),
            _ref("student", "students", *_STUDENT, required=True),
            Column("date", Kind.DATE, required=True, aliases=_DATE),
            Column("period", Kind.INT, aliases=_PERIOD),
            Column("code", Kind.ATTENDANCE_CODE, required=True, aliases=("отметка", "пропуск")),
            _ref("subject", "subjects", *_SUBJECT),
            _ref("lesson", "lessons", "урок id"),
            Column("minutes_late", Kind.INT, aliases=("опоздание мин", "минут опоздания")),
            Column("comment", aliases=("комментарий", "причина", "примечание")),
            DELETED,
        ),
        aliases=("посещаемость", "пропуски"),
        natural_key=("student", "date", "period"),
    ),
    Table(
        "attestation",
        (
            _id(required=False),
            _ref("student", "students", *_STUDENT, required=True),
            _ref("subject", "subjects", *_SUBJECT, required=True),
            Column("kind", Kind.ATTESTATION_KIND, required=True, aliases=("вид", "тип")),
            _ref("term", "terms", "период", "четверть"),
            _ref("year", "years", "учебный год", "год"),
            Column("value", Kind.MARK, required=True, aliases=("оценка", "отметка")),
            Column("exam_name", aliases=("экзамен",)),
            Column("exam_score", Kind.INT, aliases=("баллы", "первичный балл")),
            DELETED,
        ),
        aliases=("аттестация", "итоговые оценки", "attestation_marks"),
        natural_key=("student", "subject", "kind", "term", "year"),
    ),
    Table(
        "events",
        (
            _id(),
            Column("title", required=True, aliases=("название", "мероприятие")),
            Column("start", Kind.DATE, required=True, aliases=("дата", *_START)),
            Column("end", Kind.DATE, aliases=_END),
            Column("time", Kind.TIME, aliases=("время",)),
            _ref("class", "classes", *_CLASS),
            Column("audience", Kind.AUDIENCE, aliases=("для кого", "участники")),
            Column("place", aliases=("место",)),
            Column("description", aliases=("описание",)),
            DELETED,
        ),
        aliases=("мероприятия", "события", "календарь"),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}
# Import order: a table comes after every table it references.
ORDER: tuple[str, ...] = tuple(table.name for table in TABLES)


def normalize_header(text: str) -> str:
    text = text.replace("\ufeff", "").strip().casefold().replace("ё", "е")
    text = re.sub(r"[\s_.]+", " ", text)  # "Эл. почта" is "эл почта"
    return text.strip(" .:*")


def _table_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for table in TABLES:
        for alias in (table.name, *table.aliases):
            keys[normalize_header(alias)] = table.name
    return keys


TABLE_ALIASES = _table_keys()


def table_for_name(name: str) -> Table | None:
    """The table a file or sheet name stands for (`marks.csv`, `Оценки`, `замены`), if any."""
    found = TABLE_ALIASES.get(normalize_header(name))
    return TABLES_BY_NAME[found] if found else None


def column_for_header(table: Table, header: str) -> Column | None:
    wanted = normalize_header(header)
    for column in table.columns:
        if wanted in (normalize_header(column.name), *map(normalize_header, column.aliases)):
            return column
    return None
