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


MUHAMMAD_LONG = ["Moh", "Mochammad", "Mochamad", "Muchammad", "Mohamad", "Mukhammad"]
_SPLIT_NAME = ("Nurul", "Nur", "Sri", "Abdul", "Siti", "Dwi", "Tri", "Eka", "Puji", "Rahma", "Wahyu")
_SPLIT_SUFFIX = ("syah", "putra", "wati", "ningsih", "hayati", "yanti")
_SUN = "tdsrzn"
_GENERIC_FIRST = _SPLIT_NAME + ("Muhammad", "Ahmad")  # never left alone when the last word is dropped  # Abdul + a sun letter assimilates: Abdul Rahman -> Abdurrahman
_VOWEL_SWAP = {"e": "i", "i": "e", "o": "u", "u": "o"}
_LETTERS = "abdeghiklmnrstuy"


def _space_options(words: list[str]) -> tuple[list[int], list[tuple[int, int]]]:
    joins = [i for i in range(len(words) - 1) if words[i] in _SPLIT_NAME and len(words[i + 1]) >= 3]
    splits = [(i, len(p)) for i, w in enumerate(words) for p in _SPLIT_NAME if w.startswith(p) and len(w) - len(p) >= 3]
    splits += [(i, len(w) - len(x)) for i, w in enumerate(words) for x in _SPLIT_SUFFIX
               if w.lower().endswith(x) and len(w) - len(x) >= 3]
    return joins, splits


def _space_variant(words: list[str], rng: np.random.Generator) -> str | None:
    """'Nur Hayati' <-> 'Nurhayati', 'Abdul Rahman' -> 'Abdurrahman', 'Syahputra' -> 'Syah Putra': a
    space dropped after a word that forms compounds, or added inside a compound."""
    joins, splits = _space_options(words)
    if not joins and not splits:
        return None
    k = int(rng.integers(0, len(joins) + len(splits)))
    out = list(words)
    if k < len(joins):
        i = joins[k]
        a, b = out[i], out[i + 1]
        if a == "Abdul" and b[0].lower() in _SUN:
            joined = "Abdu" + b[0].lower() + b.lower()
        else:
            joined = a + b.lower()
        out[i:i + 2] = [joined]
    else:
        i, cut = splits[k - len(joins)]
        w = out[i]
        out[i:i + 1] = [w[:cut], w[cut].upper() + w[cut + 1:]]
    return " ".join(out)


def _vowel_variant(words: list[str], rng: np.random.Generator) -> str | None:
    """'Sumirah' -> 'Sumireh': one e/i or o/u swapped inside a word of four letters or more."""
    cands = [(i, j) for i, w in enumerate(words) if len(w) >= 4 for j in range(1, len(w)) if w[j] in _VOWEL_SWAP]
    if not cands:
        return None
    i, j = cands[int(rng.integers(0, len(cands)))]
    w = words[i]
    out = list(words)
    out[i] = w[:j] + _VOWEL_SWAP[w[j]] + w[j + 1:]
    return " ".join(out)


def _typo_variant(words: list[str], rng: np.random.Generator) -> str | None:
    """One letter inserted, deleted or replaced inside a word of five letters or more."""
    cands = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not cands:
        return None
    i = cands[int(rng.integers(0, len(cands)))]
    w = words[i]
    j = int(rng.integers(1, len(w)))
    op = int(rng.integers(0, 3))
    c = _LETTERS[int(rng.integers(0, len(_LETTERS)))]
    if op == 0:
        w2 = w[:j] + c + w[j:]
    elif op == 1:
        w2 = w[:j] + w[j + 1:]
    else:
        w2 = w[:j] + (c if c != w[j].lower() else "a" if w[j].lower() != "a" else "e") + w[j + 1:]
    out = list(words)
    out[i] = w2
    return " ".join(out)


def name_variant(name: str, sex: int, age: float, father_first: str, rng: np.random.Generator,
                 kinds: tuple[str, ...] = ("muh", "spell", "bin", "title")) -> str:
    """A typed-in variant of a name that a human reader still recognises as the same person.

    `kinds`: the variant kinds allowed (profile.NAME_KINDS); one applicable kind is drawn. With the
    default kinds the random draws are those of the generator before profiles existed.
    """
    words = name.split(" ")
    options = []
    if "muh" in kinds and words[0] == "Muhammad":
        options.append("muh")
    if "spell" in kinds and (any(w in SPELLING for w in words) or name in SPELLING):
        options.append("spell")
    options += [k for k in ("bin", "title") if k in kinds]
    if "space" in kinds and any(_space_options(words)):
        options.append("space")
    if "muhammad_long" in kinds and words[0] == "Muhammad":
        options.append("muhammad_long")
    if "vowel" in kinds and any(len(w) >= 4 and any(ch in _VOWEL_SWAP for ch in w[1:]) for w in words):
        options.append("vowel")
    if "drop_last" in kinds and (len(words) >= 3 or (len(words) == 2 and words[0] not in _GENERIC_FIRST)):
        options.append("drop_last")
    if "typo" in kinds and any(len(w) >= 5 and w.isalpha() for w in words):
        options.append("typo")
    if "initials" in kinds and len(words) >= 2:
        options.append("initials")
    if not options:
        return name
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
    if kind == "title":
        if age >= 40 and rng.random() < 0.6:
            pre = TITLES_PRE_F if sex == 1 else TITLES_PRE_M
            return f"{pre[int(rng.integers(0, len(pre)))]} {name}"
        return name + TITLES_POST[int(rng.integers(0, len(TITLES_POST)))]
    if kind == "space":
        return _space_variant(words, rng) or name
    if kind == "muhammad_long":
        words[0] = MUHAMMAD_LONG[int(rng.integers(0, len(MUHAMMAD_LONG)))]
        return " ".join(words)
    if kind == "vowel":
        return _vowel_variant(words, rng) or name
    if kind == "drop_last":
        return " ".join(words[:-1])
    if kind == "typo":
        return _typo_variant(words, rng) or name
    # initials: 'Muhammad Yusuf' -> 'M. Yusuf'; three words: sometimes the middle one ('Siti R. Lestari')
    i = 1 if len(words) >= 3 and rng.random() < 0.3 else 0
    words[i] = words[i][0] + "."
    return " ".join(words)


def apply_case(values: np.ndarray, style: str) -> np.ndarray:
    if style == "upper":
        return np.array([v.upper() if isinstance(v, str) else v for v in values], dtype=object)
    if style == "lower":
        return np.array([v.lower() if isinstance(v, str) else v for v in values], dtype=object)
    if style == "title":
        return np.array([_WORD.sub(lambda m: m.group()[:1].upper() + m.group()[1:].lower(), v) if isinstance(v, str) else v
                         for v in values], dtype=object)
    return values
