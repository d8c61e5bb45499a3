"""Indonesian person names: built-in lists, vectorised generation, and typed-in variants.

Names are drawn with numpy from fixed lists (no Faker per row: the generator must scale to millions
of persons). Variants reproduce what clerks type: titles and honorifics, Bin/Binti, Muh./M. for
Muhammad, spelling variants (Siti/Sity, Nurhayati/Nur Hayati) and case.
"""

from __future__ import annotations

import re

import numpy as np

_WORD = re.compile(r"\S+")

MALE_FIRST = [
    "Muhammad", "Ahmad", "Agus", "Budi", "Sutrisno", "Slamet", "Joko", "Bambang", "Sugeng", "Wahyu",
    "Eko", "Dwi", "Tri", "Hendra", "Rudi", "Andi", "Yusuf", "Rahmat", "Hidayat", "Syamsul",
    "Sukarno", "Purwanto", "Suparman", "Sumarno", "Teguh", "Heri", "Imam", "Arif", "Fajar", "Rizki",
    "Dedi", "Wawan", "Suyanto", "Sunarto", "Paijo", "Tukiman", "Zainal", "Faisal", "Saiful", "Khoirul",
    "Nurul", "Abdul", "Ilham", "Irfan", "Bayu", "Dimas", "Aditya", "Yoga", "Ma’ruf", "Nu’man",
    "Sapri", "Mat", "Ismail", "Ridwan", "Hasan", "Husein", "Samsudin", "Kusnadi", "Mulyadi", "Darmawan",
    "Gunawan", "Hartono", "Supriyadi", "Sugiyono", "Waluyo", "Sarwono", "Marzuki", "Anwar", "Herman", "Sahril",
    "Rian", "Fikri", "Reza", "Dani", "Iwan", "Edi", "Rohman", "Taufik", "Lukman", "Umar",
]
FEMALE_FIRST = [
    "Siti", "Sri", "Nurhayati", "Dewi", "Fitri", "Rina", "Yuliana", "Sumiati", "Suyati", "Wartini",
    "Sulastri", "Partini", "Tumini", "Ngatini", "Aminah", "Fatimah", "Aisyah", "Khadijah", "Nur", "Lestari",
    "Wulandari", "Ratna", "Indah", "Yanti", "Eka", "Puji", "Rahayu", "Endang", "Sri Wahyuni", "Suwarni",
    "Murni", "Kartini", "Maryati", "Suparmi", "Rohmah", "Zubaidah", "Nurul", "Anisa", "Dian", "Ayu",
    "Putri", "Novi", "Lina", "Yuni", "Eni", "Tuti", "Rusmini", "Sumarni", "Juwariyah", "Mu’minah",
    "Halimah", "Maimunah", "Rukmini", "Sundari", "Winarsih", "Sarmi", "Painem", "Tukini", "Surti", "Ani",
    "Nia", "Vina", "Salsabila", "Nabila", "Zahra", "Rizka", "Sinta", "Mega", "Febri", "Ika",
]
LAST = [
    "Santoso", "Wibowo", "Saputra", "Setiawan", "Pratama", "Hidayat", "Susanto", "Kurniawan", "Nugroho", "Wijaya",
    "Prasetyo", "Purnomo", "Gunawan", "Hermawan", "Firmansyah", "Ramadhan", "Kusuma", "Utomo", "Sanjaya", "Permana",
    "Riyadi", "Sutrisno", "Suprapto", "Harahap", "Rahman", "Hakim", "Fauzi", "Maulana", "Syahputra", "Iskandar",
    "Effendi", "Hasibuan", "Yulianto", "Haryanto", "Suryadi", "Mulyono", "Rohim", "Anwar", "Zulkarnain", "Hamzah",
    "Aminah", "Rahayu", "Wati", "Handayani", "Lestari", "Susanti", "Rahmawati", "Fitriani", "Safitri", "Maharani",
    "Ningsih", "Wahyuni", "Kurniasih", "Puspita", "Anggraini", "Nurhayati", "Marlina", "Sari", "Astuti", "Yulianti",
]
# LAST[40:] are female-type second names

# spelling variants as clerks type them
SPELLING = {
    "Siti": ["Sity", "Sitti"], "Nurhayati": ["Nur Hayati", "Nurhayaty"], "Rahmat": ["Rachmat", "Rohmat"],
    "Ahmad": ["Achmad", "Akhmad"], "Yusuf": ["Yusup", "Yusuph"], "Syamsul": ["Samsul"],
    "Hidayat": ["Hidayad"], "Sutrisno": ["Soetrisno"], "Sukarno": ["Soekarno"], "Purwanto": ["Poerwanto"],
    "Purnomo": ["Poernomo"], "Wahyu": ["Wahyoe"], "Zainal": ["Jainal"], "Faisal": ["Faizal", "Faishal"],
    "Saiful": ["Syaiful"], "Khoirul": ["Choirul", "Khairul"], "Fatimah": ["Patimah", "Fatima"],
    "Aisyah": ["Aisah", "Aisya"], "Rizki": ["Rizky", "Riski"], "Fitri": ["Fitry"], "Dewi": ["Dewy"],
    "Yuliana": ["Yulyana"], "Sri Wahyuni": ["Sri Wahyuningsih"], "Rahayu": ["Rahayoe"], "Ma’ruf": ["Ma'ruf", "Maruf"],
    "Nu’man": ["Nukman", "Nu'man"], "Mu’minah": ["Mukminah", "Muminah"], "Saputra": ["Syahputra", "Saputera"],
    "Setiawan": ["Setyawan"], "Prasetyo": ["Prasetio"], "Nugroho": ["Noegroho"], "Kurniawan": ["Kurniawan"],
    "Khadijah": ["Hadijah", "Khodijah"], "Zubaidah": ["Jubaidah"], "Rohmah": ["Rochmah"], "Maimunah": ["Maemunah"],
    "Juwariyah": ["Juwariah"], "Susanto": ["Soesanto"], "Suyanto": ["Soeyanto"], "Sumarno": ["Soemarno"],
}
MUHAMMAD = ["Muh.", "M.", "Moh.", "Mohammad", "Muhamad", "Moch."]
TITLES_PRE_M = ["H.", "Drs.", "Ir.", "Ust."]
TITLES_PRE_F = ["Hj.", "Dra.", "Hj."]
TITLES_POST = [", S.Pd", ", S.Pd.I", ", S.Ag", ", S.E.", ", A.Md", " S.Pd"]

BIRTH_PLACES = [
    "Lampung Tengah", "Gunung Sugih", "Metro", "Bandar Lampung", "Kebumen", "Ponorogo", "Banyumas",
    "Kediri", "Wonogiri", "Cilacap", "Palembang", "Kotabumi", "Pringsewu", "Bandar Jaya", "Kalirejo",
]


def generate_names(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    """One full name per person; sex 0 = male, 1 = female. Vectorised over the whole array."""
    n = len(sex)
    male_first = np.array(MALE_FIRST, dtype=object)
    female_first = np.array(FEMALE_FIRST, dtype=object)
    last = np.array(LAST, dtype=object)
    first = np.where(
        sex == 1,
        female_first[rng.integers(0, len(female_first), n)],
        male_first[rng.integers(0, len(male_first), n)],
    )
    # women get more female-type second names, men more neutral ones
    li_m = rng.integers(0, 40, n)
    li_f = rng.integers(0, 60, n)
    second = last[np.where(sex == 1, li_f, li_m)]
    third = last[rng.integers(0, 40, n)]
    k = rng.random(n)
    # 30 % one word (Javanese single names), 52 % two, 18 % three
    out = first.copy()
    two = k >= 0.30
    three = k >= 0.82
    out[two] = out[two] + " " + second[two]
    out[three] = out[three] + " " + third[three]
    return out


def first_word(names: np.ndarray) -> np.ndarray:
    return np.array([s.split(" ", 1)[0] for s in names], dtype=object)


def name_variant(name: str, sex: int, age: float, father_first: str, rng: np.random.Generator) -> str:
    """A typed-in variant of a name that a human reader still recognises as the same person."""
    words = name.split(" ")
    options = []
    if words[0] == "Muhammad":
        options.append("muh")
    if any(w in SPELLING for w in words) or name in SPELLING:
        options.append("spell")
    options += ["bin", "title"]
    kind = options[int(rng.integers(0, len(options)))]
    if kind == "muh":
        words[0] = MUHAMMAD[int(rng.integers(0, len(MUHAMMAD)))]
        return " ".join(words)
    if kind == "spell":
        if name in SPELLING:
            alts = SPELLING[name]
            return alts[int(rng.integers(0, len(alts)))]
        for i, w in enumerate(words):
            if w in SPELLING:
                alts = SPELLING[w]
                words[i] = alts[int(rng.integers(0, len(alts)))]
                break
        return " ".join(words)
    if kind == "bin":
        return f"{name} {'Binti' if sex == 1 else 'Bin'} {father_first}"
    # title
    if age >= 40 and rng.random() < 0.6:
        pre = TITLES_PRE_F if sex == 1 else TITLES_PRE_M
        return f"{pre[int(rng.integers(0, len(pre)))]} {name}"
    return name + TITLES_POST[int(rng.integers(0, len(TITLES_POST)))]


def apply_case(values: np.ndarray, style: str) -> np.ndarray:
    if style == "upper":
        return np.array([v.upper() if isinstance(v, str) else v for v in values], dtype=object)
    if style == "lower":
        return np.array([v.lower() if isinstance(v, str) else v for v in values], dtype=object)
    if style == "title":
        return np.array([_WORD.sub(lambda m: m.group()[:1].upper() + m.group()[1:].lower(), v) if isinstance(v, str) else v
                         for v in values], dtype=object)
    return values
