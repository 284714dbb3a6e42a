"""Atodiad III yn Gymraeg: the Welsh of the agreement's security measures (#29), group for group and
point for point with `portal.documents.measures` (tests/documents/test_welsh.py holds them to that)."""

from __future__ import annotations

from portal.documents.measures import MeasureGroup

MEASURES: tuple[MeasureGroup, ...] = (
    MeasureGroup(
        "Amgryptio",
        (
            "TLS 1.3 ar gyfer yr holl draffig rhwng defnyddwyr a'r gwasanaeth; HSTS wedi'i raglwytho; "
            "cyfresi seiffr modern yn unig.",
            "Amgryptio AES-256 wrth storio ar gyfer y gronfa ddata gynhyrchu, y storfa wrthrychau a'r copïau "
            "wrth gefn.",
            "Cyfrinachau wedi'u cyfyngu i bob amgylchedd, yn cael eu newid pan fydd staff yn gadael, a byth "
            "yn cael eu cadw yn y system rheoli cod ffynhonnell.",
        ),
    ),
    MeasureGroup(
        "Rheoli mynediad",
        (
            "Mynediad ar sail rôl i ddefnyddwyr a staff, gyda'r lleiafswm o freintiau yn ddiofyn.",
            "Mewngofnodi gyda Microsoft 365 neu Google Workspace; mae ailosod cyfrinair neu newid cyfrif yn dod "
            "â phob sesiwn weithredol i ben.",
            "Mynediad i'r gronfa ddata gynhyrchu wedi'i gyfyngu i restr ar alwad a enwir, a phob mynediad "
            "yn cael ei gofnodi.",
            "Adroddiadau i arweinwyr wedi'u cyfuno fel nad yw cynnwys unrhyw unigolyn yn cael ei ddangos i'r "
            "rhai na ddylent ei weld.",
        ),
    ),
    MeasureGroup(
        "Cofnodi a monitro",
        (
            "Mewngofnodion, gwiriadau caniatâd a chamau gweinyddol yn cael eu cofnodi'n ganolog a'u "
            "cadw am o leiaf 12 mis.",
            "Gwallau'r rhaglen a chyfraddau ceisiadau anarferol yn cael eu codi gyda'r t\u00eem ar alwad.",
            "Mewngofnodi aflwyddiannus a chloi cyfrifon yn cael eu dangos i'r defnyddiwr dan sylw ac i'n "
            "t\u00eem gweithrediadau.",
        ),
    ),
    MeasureGroup(
        "Rheoli gwendidau",
        (
            "Dibyniaethau'n cael eu sganio ym mhob newid; atgyweiriadau diogelwch yn cael eu blaenoriaethu yn "
            "ôl pa mor ddifrifol ydynt a pha mor hawdd yw manteisio arnynt.",
            "Adroddiadau am wendidau i {vendor_security_email} yn cael eu cydnabod o fewn un diwrnod gwaith a'u "
            "brysbennu o fewn pump.",
            "Profion treiddio annibynnol o leiaf unwaith y flwyddyn.",
        ),
    ),
    MeasureGroup(
        "Digwyddiadau ac achosion o dor data",
        (
            "Gweithdrefn ddogfennol ar gyfer digwyddiadau: canfod, cyfyngu, dileu'r achos, adfer ac adolygu.",
            "Rheolyddion yn cael gwybod am dor data personol heb oedi gormodol ac o fewn 72 awr.",
        ),
    ),
    MeasureGroup(
        "Copïau wrth gefn a pharhad",
        (
            "Copïau wrth gefn wedi'u hamgryptio o'r gronfa ddata o leiaf bob dydd, yn cael eu cadw am "
            "30 diwrnod yn y Deyrnas Unedig.",
            "Adfer yn cael ei ymarfer bob chwarter; amcan amser adfer 4 awr, amcan pwynt adfer 24 awr.",
        ),
    ),
    MeasureGroup(
        "Data categori arbennig",
        (
            "Pan gaiff data categori arbennig ei brosesu: mynediad wedi'i gyfyngu i staff a enwir a phob "
            "mynediad yn cael ei gofnodi.",
        ),
    ),
)
