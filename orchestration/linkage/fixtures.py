"""A small, fast generator of ``int_person_records``-shaped rows with a truth column.

For unit tests and linkage benchmarks independent of the extract generator and dbt: it produces
the canonical linkage input directly (already staged), with the hard cases the engine must handle:
twins (NIKs differing only in the serial), the head's NIK typed on every member row, a
neighbour's NIK copied, Excel-zeroed NIKs (``nik_suspect``), one-digit NIK typos, name variants
(Siti/Sity, Nur Hayati/Nurhayati, dropped tokens), day-month swaps, missing birth dates and NIKs
(program lists), several DTKS periods.

``make_records(n_households, seed)`` returns a pandas DataFrame with every column of
``intermediate.int_person_records`` plus ``true_person`` and ``true_family``.
"""
from __future__ import annotations

import datetime as dt
import random

import pandas as pd

FIRST = (
    "siti ahmad muhammad nur dewi sri agus budi rina eko joko slamet wahyu yuni fitri ani "
    "rahmat hasan husein abdul dedi heri andi indah lestari ratna sumarni sutrisno suparman "
    "sugeng tri dwi wati yanti tuti rudi hendra iwan irfan ilham rizki fajar bayu dimas galih "
    "putri ayu aisyah fatimah khadijah zainal arif bambang edi sulastri suyatno mulyadi "
    "purnomo riyanto sumini painem tukiyem paijo karno marni "
).split()
SECOND = (
    "aminah hidayat saputra wulandari rahayu setiawan susanti kurniawan pratama lestari "
    "handayani santoso wibowo nugroho purwanto hartono suryani maryati yulianti haryanto "
    "kusuma permata sari utami anggraini fauzi hakim rohman rosidah yusuf ismail ibrahim "
    "ramadhan firmansyah saleh zulkifli mustofa wijaya gunawan prasetyo hermawan susilo "
    "sulistyo widodo mahmud rasyid hamid latif bahri syafii nurhayati hayati kartini"
).split()
VARIANT = {"siti": "sity", "muhammad": "muhamad", "nur": "noor", "dewi": "dewy", "yuni": "yuny",
           "ahmad": "achmad", "rahmat": "rachmat", "fitri": "fitry", "rizki": "rizky"}
KEC = [f"18.02.{i:02d}" for i in range(1, 29)]


def _nik(kec: str, dob: dt.date, sex: str, serial: int) -> str:
    day = dob.day + (40 if sex == "P" else 0)
    return kec.replace(".", "") + f"{day:02d}{dob.month:02d}{dob.year % 100:02d}{serial:04d}"


def _variant(rng: random.Random, name: str) -> str:
    toks = name.split()
    r = rng.random()
    if r < 0.3 and toks[0] in VARIANT:
        toks[0] = VARIANT[toks[0]]
    elif r < 0.45 and len(toks) > 1:
        return "".join(toks)  # Nur Hayati -> Nurhayati
    elif r < 0.6 and len(toks) > 1:
        return toks[0]  # second token dropped
    else:  # one character typo in a token
        i = rng.randrange(len(toks))
        t = toks[i]
        if len(t) > 3:
            j = rng.randrange(1, len(t) - 1)
            t = t[:j] + rng.choice("aiueohn") + t[j + 1:]
        toks[i] = t
    return " ".join(toks)


def make_records(n_households: int, seed: int = 0, dtks_periods: tuple[str, ...] = ("2024-03", "2024-09")) -> pd.DataFrame:
    rng = random.Random(seed)
    villages = {k: [f"{k}.{2000 + j + 1}" for j in range(11)] for k in KEC}
    serials: dict[str, int] = {}
    persons = []  # dicts
    households = []
    pid = 0
    for h in range(n_households):
        kec = rng.choice(KEC)
        desa = rng.choice(villages[kec])
        reg = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(6000))
        no_kk = kec.replace(".", "") + reg.strftime("%d%m%y") + f"{rng.randrange(10000):04d}"
        n_children = rng.choice([0, 1, 1, 2, 2, 3, 4])
        members = []
        head_dob = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
        roles = [("kepala", "L", head_dob), ("pasangan", "P", head_dob + dt.timedelta(days=rng.randrange(-2000, 2000)))]
        if rng.random() < 0.12:
            roles = [("kepala", "P", head_dob)]  # widow-headed
        twins = rng.random() < 0.05 and n_children >= 2
        for c in range(n_children):
            cd = head_dob + dt.timedelta(days=365 * 20 + rng.randrange(365 * 25))
            if twins and c == 1:
                cd = roles[-1][2]
            roles.append(("anak", rng.choice("LP"), cd))
        for role, sex, dob in roles:
            birth_kec = kec if rng.random() < 0.85 else rng.choice(KEC)
            key = birth_kec + dob.isoformat() + sex
            serials[key] = serials.get(key, 0) + 1
            name = rng.choice(FIRST) + ("" if rng.random() < 0.15 else " " + rng.choice(SECOND))
            p = dict(pk=f"T{pid:08d}", name=name, sex=sex, dob=dob, role=role,
                     nik=_nik(birth_kec, dob, sex, serials[key]), hh=h)
            pid += 1
            members.append(p)
            persons.append(p)
        households.append(dict(h=h, kec=kec, desa=desa, no_kk=no_kk, members=members,
                               p3ke_id=f"P3KE{h:08d}", idbdt=f"BDT{h:08d}",
                               head_nik_copied=rng.random() < 0.03))
    rows = []

    def emit(source, period, is_current, kind, unit, program, p, hhd, *, with_dob=True, desa=True,
             nik_missing=0.02, family_ref=None, household_ref=None, status="ada", recipient=True,
             nik_override=None):
        nik, suspect = p["nik"], False
        if nik_override is not None:
            nik = nik_override
        r = rng.random()
        if r < nik_missing:
            nik = None
        elif r < nik_missing + 0.03:
            nik, suspect = nik[:15] + "0", True  # Excel zeroed the 16th digit
        elif r < nik_missing + 0.04:
            i = rng.randrange(16)
            nik = nik[:i] + str((int(nik[i]) + 1) % 10) + nik[i + 1:]
        name = p["name"] if rng.random() > 0.12 else _variant(rng, p["name"])
        dob = p["dob"] if with_dob else None
        if dob is not None:
            r = rng.random()
            if r < 0.02 and dob.day <= 12:
                dob = dt.date(dob.year, dob.day, dob.month)
            elif r < 0.03:
                dob = dt.date(dob.year + rng.choice([-1, 1]), dob.month, min(dob.day, 28))
            elif r < 0.05:
                dob = None
        row_no = len(rows) + 2
        rows.append(dict(
            record_id=f"{source}|{period}|{source}/{period}/data.csv||{row_no}",
            source=source, period=period, is_current=is_current,
            source_file=f"{source}/{period}/data.csv", source_sheet=None, source_row=row_no,
            kind=kind, unit=unit, program=program, nik=nik, nik_valid=nik is not None and not suspect,
            nik_suspect=suspect, no_kk=hhd["no_kk"] if family_ref is None or family_ref.startswith("kk:") else None,
            no_kk_valid=True, nama=name.upper(), name_key=name, tanggal_lahir=dob,
            jenis_kelamin=p["sex"] if with_dob else None,
            kode_desa=hhd["desa"] if (desa and rng.random() > 0.05) else None,
            kode_kecamatan=hhd["kec"], place_resolved_by="code", family_ref=family_ref,
            household_ref=household_ref, hubungan=p["role"] if kind == "registry" else None,
            status_keberadaan=status if kind == "registry" else None,
            desil=None, recipient=recipient, flags=None,
            true_person=p["pk"], true_family=f"F{hhd['h']:08d}",
        ))

    for hhd in households:
        mem = hhd["members"]
        head = mem[0]
        in_dtks = rng.random() < 0.6
        in_p3ke = rng.random() < 0.5
        for i, period in enumerate(dtks_periods):
            if not in_dtks:
                break
            cur = i == len(dtks_periods) - 1
            for p in mem:
                over = head["nik"] if (hhd["head_nik_copied"] and p is not head) else None
                emit("dtks", period, cur, "registry", "person", None, p, hhd,
                     family_ref=f"kk:{hhd['no_kk']}", household_ref=hhd["idbdt"], nik_override=over)
        if in_p3ke:
            for p in mem:
                over = head["nik"] if (hhd["head_nik_copied"] and p is not head) else None
                emit("p3ke", "2024-06", True, "registry", "family", None, p, hhd,
                     family_ref=f"p3ke:{hhd['p3ke_id']}", nik_override=over)
        if rng.random() < 0.25:
            carer = mem[1] if len(mem) > 1 and mem[1]["role"] == "pasangan" else head
            emit("pkh", "2024-09", True, "program", "family", "pkh", carer, hhd, with_dob=False,
                 family_ref=f"kk:{hhd['no_kk']}")
        if rng.random() < 0.3:
            for p in mem:
                emit("pbi_jk", "2024-09", True, "program", "person", "pbi_jk", p, hhd, desa=False)
        if rng.random() < 0.1:
            other = rng.choice(persons)
            neighbour = other["nik"] if rng.random() < 0.05 else None
            emit("blt_dd", "2024-09", True, "program", "family", "blt_dd", head, hhd, with_dob=False,
                 nik_missing=0.5, nik_override=neighbour)
        if rng.random() < 0.03:
            emit("baznas", "2024-09", True, "program", "person", "baznas", head, hhd, with_dob=False,
                 nik_missing=0.6)
    return pd.DataFrame(rows)
