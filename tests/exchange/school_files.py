"""A small school in exchange files, written the way schools write them."""

from __future__ import annotations

from pathlib import Path

FILES: dict[str, str] = {
    "school.csv": "id,name,short_name\nG6,Гимназия №6,Г6\n",
    "years.csv": "id,name,start,end\nY2026,2026/2027,2026-09-01,2027-05-31\n",
    "terms.csv": (
        "id,year,kind,number,start,end\n"
        "Q1,Y2026,quarter,1,2026-09-01,2026-10-25\n"
        "Q2,Y2026,quarter,2,2026-11-05,2026-12-28\n"
        "H1,Y2026,half,1,2026-09-01,2026-12-28\n"
    ),
    "holidays.csv": "id,name,start,end\nAUT,Осенние каникулы,2026-10-26,2026-11-04\n",
    "bells.csv": "shift,period,start,end\n1,1,08:30,09:15\n1,2,09:25,10:10\n1,3,10:30,11:15\n",
    "subjects.csv": "id,name\nALG,Алгебра\nENG,Английский язык\nPHY,Физика\n",
    "work_types.csv": (
        "id,name,weight,control\nANS,Ответ на уроке,1,0\nTEST,Контрольная работа,2,1\n"
    ),
    "staff.csv": (
        "id,last_name,first_name,middle_name,phone,roles\n"
        "T1,Иванова,Мария,Петровна,8 (912) 000-00-01,учитель;завуч\n"
        "T2,Петров,Олег,Ильич,+7 912 0000002,teacher\n"
        "T3,Сидорова,Анна,,89120000003,teacher\n"
    ),
    "classes.csv": "id,name,class_teacher\nC7A,7А,T1\nC7B,7Б,T2\n",
    "groups.csv": "id,class,subject,name\nG7A1,C7A,ENG,Группа 1\nG7A2,C7A,ENG,Группа 2\n",
    "students.csv": (
        "id,last_name,first_name,class,enrolled\n"
        "S1,Алексеев,Иван,C7A,2020-09-01\n"
        "S2,Белова,Ольга,C7A,2020-09-01\n"
        "S3,Волков,Пётр,C7B,2020-09-01\n"
    ),
    "group_members.csv": "group,student\nG7A1,S1\nG7A2,S2\n",
    "guardians.csv": (
        "id,last_name,first_name,phone,students,relation\n"
        "P1,Алексеева,Елена,8 (912) 111-11-11,S1;S3,mother\n"
        "P2,Белов,Игорь,+79121111112,S2,father\n"
    ),
    "timetable.csv": (
        "id,class,group,subject,teacher,weekday,period,room\n"
        "TT1,C7A,,ALG,T1,1,1,201\n"
        "TT2,C7A,G7A1,ENG,T2,1,2,305\n"
        "TT3,C7A,G7A2,ENG,T3,1,2,306\n"
    ),
    "lessons.csv": (
        "id,date,period,class,subject,teacher,topic,homework,homework_due\n"
        "L1,2026-11-23,1,C7A,ALG,T1,Квадратные уравнения,№ 12,2026-11-30\n"
        "L2,2026-11-30,1,C7A,ALG,T1,Теорема Виета,,\n"
    ),
    "marks.csv": (
        "id,student,subject,date,value,work_type,teacher,lesson\n"
        "M1,S1,ALG,2026-11-23,5,ANS,T1,L1\n"
        "M2,S1,ALG,2026-11-30,4,TEST,T1,L2\n"
        "M3,S2,ALG,2026-11-23,зач,,T1,L1\n"
    ),
    "attendance.csv": "student,date,period,code\nS2,2026-11-30,1,Б\n",
}

TODAY_ISO = "2026-11-30"


def write_school(directory: Path, files: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (files or FILES).items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory
