#!/usr/bin/env python3
"""Writes tests/fixtures/encodings/: one short news-like text per legacy
encoding, as plain text with no declaration (NAME.txt, for detection) and as
an HTML page that declares its charset in a <meta> (NAME.html), plus the
expected UTF-8 text (NAME.expected). Rerun after changing a text:
    python3 scripts/make-encoding-fixtures.py
"""
from pathlib import Path

ARABIC = (
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في وسط المدينة، "
    "وقال المتحدث باسم الوزارة إن المستشفى سيستقبل المرضى ابتداء من الأسبوع المقبل. "
    "وأضاف أن الحكومة خصصت ميزانية إضافية لتدريب الأطباء والممرضين في المناطق الريفية، "
    "وأن العمل جار على تحسين الخدمات الصحية في جميع المحافظات."
)
RUSSIAN = (
    "Городской совет в среду утвердил новый бюджет на следующий год. "
    "По словам председателя комиссии, большая часть средств будет направлена на ремонт школ "
    "и больниц, а также на строительство новых дорог в пригородах. "
    "Депутаты оппозиции заявили, что проект документа был опубликован слишком поздно."
)
JAPANESE = (
    "政府は十二日、新しい経済対策を発表した。首相は記者会見で、物価の上昇に苦しむ家庭を支援するため、"
    "電気料金とガス料金の補助を来年三月まで延長すると述べた。野党は対策の効果が不十分だと批判している。"
)
CHINESE = (
    "市政府昨天宣布，将在明年春天开放新的地铁线路。负责人表示，新线路全长三十公里，设有二十个车站，"
    "预计每天可以运送四十万名乘客。部分居民担心施工期间的噪音问题，希望有关部门加强管理。"
)
FRENCH_1252 = (
    "Le ministre a déclaré mardi que « la réforme sera votée avant l’été », "
    "malgré l’opposition des syndicats. Le coût du projet est estimé à 2 milliards d’€ — "
    "un chiffre contesté par la Cour des comptes, qui évoque plutôt 3 milliards."
)
SPANISH_LATIN1 = (
    "El alcalde anunció el lunes que la biblioteca municipal reabrirá sus puertas en otoño, "
    "tras dos años de obras. «Es una gran noticia para la ciudad», afirmó la concejala de cultura, "
    "que añadió que el edificio contará con una sala de estudio más amplia y acceso para personas con movilidad reducida."
)

FIXTURES = [
    ("windows-1256", "cp1256", ARABIC),
    ("iso-8859-6", "iso8859_6", ARABIC),
    ("windows-1251", "cp1251", RUSSIAN),
    ("koi8-r", "koi8_r", RUSSIAN),
    ("shift_jis", "shift_jis", JAPANESE),
    ("gbk", "gbk", CHINESE),
    ("gb2312", "gb2312", CHINESE),
    ("windows-1252", "cp1252", FRENCH_1252),
    ("iso-8859-1", "latin_1", SPANISH_LATIN1),
]

out = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "encodings"
out.mkdir(parents=True, exist_ok=True)
for label, codec, text in FIXTURES:
    (out / f"{label}.expected").write_text(text + "\n", encoding="utf-8")
    (out / f"{label}.txt").write_bytes((text + "\n").encode(codec))
    html = (
        f'<!DOCTYPE html>\n<html><head><meta charset="{label}">\n'
        f"<title>{text[:20]}</title></head>\n"
        f"<body><article><p>{text}</p></article></body></html>\n"
    )
    (out / f"{label}.html").write_bytes(html.encode(codec))
print(f"wrote {len(FIXTURES) * 3} files to {out}")
