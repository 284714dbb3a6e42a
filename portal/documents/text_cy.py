"""Testun Cymraeg y cytundeb prosesu data: the Welsh text of the agreement (#29), clause for clause.

Each clause has the English clause's key, the same number of paragraphs and the same placeholders
(tests/documents/test_welsh_text.py holds both to that), so one published version carries both
languages and the two texts have equal standing, as the last clause states. Written in plain legal
Welsh with the terms of `translations/GLOSSARY.md`.
"""

from __future__ import annotations

from portal.documents.text import Clause

TITLE = "Cytundeb prosesu data"

INTRODUCTION = (
    "Mae'r cytundeb hwn rhwng y rheolydd a enwir yn atodiad I (\u201cchi\u201d) a {vendor_legal_entity} "
    "(y prosesydd, \u201cni\u201d). Mae'n nodi sut rydym yn prosesu data personol ar eich rhan pan fyddwch "
    "yn defnyddio {vendor_name}, fel y mae Erthygl 28 o Reoliad Cyffredinol y DU ar Ddiogelu Data (GDPR y DU) "
    "a Deddf Diogelu Data 2018 yn ei gwneud yn ofynnol. Pan fo'r cytundeb hwn ac unrhyw delerau eraill "
    "rhyngom yn anghytuno ynghylch data personol, y cytundeb hwn sy'n drech."
)

# Only the headings and paragraphs are read from these clauses: the citations are the English clause's.
CLAUSES: tuple[Clause, ...] = (
    Clause(
        "interpretation",
        "Ystyr y geiriau",
        (
            "Mae i eiriau fel data personol, prosesu, rheolydd, prosesydd, is-brosesydd, tor data personol, data "
            "categori arbennig a gwrthrych data yr ystyr sydd iddynt yn GDPR y DU a Deddf Diogelu Data 2018. Ystyr "
            "\u201ccyfraith diogelu data\u201d yw'r ddwy ddeddf hynny, ynghyd â'r rheoliadau a wneir "
            "oddi tanynt, fel y maent mewn grym o bryd i'w gilydd.",
            "Mae'r atodiadau yn rhan o'r cytundeb hwn. Mae atodiad I yn enwi'r partïon, mae atodiad II "
            "yn disgrifio'r prosesu, mae atodiad III yn nodi ein mesurau diogelwch ac mae atodiad IV yn "
            "rhestru'r is-broseswyr a oedd yn berthnasol i chi pan lofnodwyd y cytundeb hwn, ynghyd â'r "
            "newidiadau a gyhoeddwyd eisoes.",
            "Mae cyfeiriad at ddiwrnodau yn golygu diwrnodau calendr. Nid yw cyfnod rhybudd o nifer o ddiwrnodau "
            "clir yn cyfrif y diwrnod y cyhoeddir yr hysbysiad na'r diwrnod y daw'r newid i rym.",
        ),
    ),
    Clause(
        "controller",
        "Eich rhwymedigaethau a'ch hawliau",
        (
            "Chi sy'n penderfynu pam a sut y caiff data personol ei brosesu yn y gwasanaeth. Chi sy'n "
            "gyfrifol am fod â sail gyfreithlon dros y prosesu, ac amod ar gyfer unrhyw ddata categori "
            "arbennig, ac am roi gwybod i ddisgyblion, rhieni, gofalwyr a staff amdano yn eich gwybodaeth "
            "preifatrwydd.",
            "Rhaid i'ch cyfarwyddiadau i ni gydymffurfio â chyfraith diogelu data. Y bobl a gaiff roi "
            "cyfarwyddiadau i ni ar eich rhan yw eich arweinwyr data a gweinyddwyr eich ymddiriedolaeth yn ein "
            "porth, ac unrhyw un a enwir gennych i ni yn ysgrifenedig.",
            "Cewch ar unrhyw adeg roi cyfarwyddiadau dogfennol pellach i ni, troi gwasanaethau dewisol ymlaen neu i "
            "ffwrdd, gwrthwynebu is-brosesydd newydd neu is-brosesydd yn lle un arall o dan gymal 9, gofyn am "
            "wybodaeth a chynnal archwiliadau o dan gymal 16, atal ein prosesu dros dro neu ddod â'r "
            "cytundeb hwn i ben o dan gymal 17, ac allforio eich data o dan gymal 18.",
        ),
    ),
    Clause(
        "instructions",
        "Rydym yn gweithredu ar eich cyfarwyddiadau dogfennol yn unig",
        (
            "Rydym yn prosesu data personol ar eich cyfarwyddiadau dogfennol yn unig, gan gynnwys ar gyfer unrhyw "
            "drosglwyddiad y tu allan i'r Deyrnas Unedig. Y cytundeb hwn, y gosodiadau a ddewiswch yn y porth "
            "ac unrhyw gyfarwyddyd ysgrifenedig gan berson a enwir yng nghymal 2.2 yw'r cyfarwyddiadau hynny.",
            "Os yw cyfraith y DU yn ei gwneud yn ofynnol i ni brosesu data personol mewn ffordd arall, byddwn yn "
            "rhoi gwybod i chi cyn gwneud hynny, oni bai bod y gyfraith honno'n gwahardd rhoi gwybod i chi ar "
            "seiliau pwysig o les y cyhoedd.",
            "Byddwn yn rhoi gwybod i chi ar unwaith os ydym o'r farn bod cyfarwyddyd yn torri cyfraith diogelu "
            "data, a chawn aros cyn ei ddilyn nes i chi ei gadarnhau neu ei newid.",
        ),
    ),
    Clause(
        "purpose",
        "Rydym yn defnyddio'r data ar gyfer y gwasanaeth yn unig, a byth i hyfforddi modelau",
        (
            "Rydym yn defnyddio data personol i ddarparu, diogelu a chefnogi'r gwasanaeth a ddisgrifir yn "
            "atodiad II ar eich cyfer chi yn unig. Nid ydym yn ei werthu, yn ei rannu ar gyfer hysbysebu nac yn ei "
            "ddefnyddio i broffilio neb.",
            "Ni fyddwn ni nac unrhyw is-brosesydd yn defnyddio eich data personol, na chynnwys sy'n deillio "
            "ohono, i hyfforddi, mireinio, gwerthuso na gwella mewn unrhyw ffordd arall unrhyw fodel, algorithm "
            "neu gynnyrch, boed yn eiddo i ni neu i unrhyw un arall, oni bai eich bod yn rhoi cyfarwyddyd "
            "ysgrifenedig i ni wneud hynny. Rydym yn mynnu'r un peth gan bob is-brosesydd yn ei gontract.",
            "Pe baem ni neu is-brosesydd yn defnyddio eich data at ein dibenion ein hunain, byddem yn dod yn "
            "rheolydd arno ac yn gyfrifol fel rheolydd; mae'r cymal hwn yn gwahardd hynny.",
        ),
    ),
    Clause(
        "duration",
        "Am ba hyd y mae'r cytundeb hwn yn para",
        (
            "Mae'r cytundeb hwn yn dechrau pan gaiff ei lofnodi ac yn para cyhyd ag y byddwn yn prosesu data "
            "personol ar eich rhan, gan gynnwys yr amser y mae'n ei gymryd i allforio, dychwelyd a dileu'r "
            "data o dan gymal 18.",
        ),
    ),
    Clause(
        "confidentiality",
        "Mae ein pobl yn cadw'r data'n gyfrinachol",
        (
            "Mae pawb yr ydym yn caniatáu iddynt brosesu data personol yn rhwym wrth ddyletswydd cyfrinachedd, "
            "yn eu contract neu yn ôl y gyfraith, wedi cael hyfforddiant ar ddiogelu data, ac yn gweld dim ond "
            "yr hyn sydd ei angen ar gyfer eu rôl.",
        ),
    ),
    Clause(
        "security",
        "Rydym yn cadw'r data'n ddiogel",
        (
            "Rydym yn cymryd y mesurau technegol a threfniadol a nodir yn atodiad III, sy'n briodol i'r "
            "risg fel y mae Erthygl 32 o GDPR y DU yn ei gwneud yn ofynnol. Rydym yn eu hadolygu o leiaf unwaith y "
            "flwyddyn ac ni fyddwn yn eu gwanhau yn ystod y cytundeb hwn.",
        ),
    ),
    Clause(
        "sensitive",
        "Data categori arbennig a data troseddau",
        (
            "Pan fo'r prosesu'n cynnwys data categori arbennig (fel gwybodaeth am iechyd, gan gynnwys "
            "anghenion addysgol arbennig ac anableddau) neu ddata troseddau, rydym yn rhoi'r mesurau diogelu "
            "ychwanegol yn atodiad III ar waith, fel mynediad tynnach a chofnodi pob mynediad. Mae atodiad II yn "
            "nodi a yw'r prosesu'n cynnwys data o'r fath.",
        ),
    ),
    Clause(
        "subprocessors",
        "Is-broseswyr",
        (
            "Rydych yn rhoi awdurdodiad ysgrifenedig cyffredinol i ni ddefnyddio'r is-broseswyr a restrir yn "
            "atodiad IV, sy'n dangos y rhai a oedd yn berthnasol i chi pan wnaethoch lofnodi, a'r "
            "newidiadau a gyhoeddwyd eisoes.",
            "Byddwn yn rhoi gwybod i chi am unrhyw fwriad i ychwanegu is-brosesydd neu i roi un arall yn ei le, neu "
            "am newid sylweddol i un (categorïau newydd o ddata, gwlad neu drosglwyddiad newydd, defnydd newydd "
            "o'ch data), drwy e-bost at eich cyswllt ar gyfer hysbysiadau ac yn y porth, o leiaf "
            "{notice_period_days} diwrnod clir cyn iddo ddod i rym: mae newid a gyhoeddir ar un diwrnod yn dod i "
            "rym heb fod yn gynharach na'r diwrnod ar ôl y {notice_period_days} diwrnod sy'n ei ddilyn.",
            "Cewch wrthwynebu ar seiliau diogelu data rhesymol, yn ysgrifenedig, yn y porth, drwy e-bost neu drwy "
            "lythyr, hyd at ddiwedd y diwrnod (amser y DU) cyn i'r newid ddod i rym. Tra bo'ch "
            "gwrthwynebiad ar agor, nid yw'r newid yn berthnasol i'ch data, hyd yn oed ar ôl ei "
            "ddyddiad. Os byddwn yn derbyn eich gwrthwynebiad, ni fydd y newid byth yn berthnasol i chi. Os na "
            "allwn, byddwn yn dweud wrthych pam, a chewch ddewis rhwng derbyn y newid a dod â'r gwasanaeth "
            "yr effeithir arno i ben o dan gymal 17, heb gosb; dim ond pan fyddwch yn dewis y daw'r newid yn "
            "berthnasol i chi, neu pan ddaw'r {exit_response_days} diwrnod a roddwn i chi i ddewis i ben heb "
            "ateb.",
            "Rydym yn penodi pob is-brosesydd o dan gontract ysgrifenedig sy'n gosod arno'r un "
            "dyletswyddau diogelu data â'r cytundeb hwn, yn enwedig sicrwydd digonol o ddiogelwch "
            "priodol. Ar gais, rydym yn rhoi copi o'r telerau hynny i chi, neu grynodeb ohonynt pan fo rhaid "
            "tynnu telerau masnachol ohonynt.",
            "Rydym yn rhoi gwybod i chi heb oedi gormodol os yw is-brosesydd yn methu â chyflawni ei "
            "ddyletswyddau diogelu data mewn ffordd sy'n effeithio ar eich data. Rydym yn parhau'n gwbl "
            "atebol i chi am gyflawni dyletswyddau pob is-brosesydd, fel pe baent yn ddyletswyddau i ni ein hunain.",
        ),
    ),
    Clause(
        "transfers",
        "Trosglwyddiadau y tu allan i'r Deyrnas Unedig",
        (
            "Rydym yn cadw data personol yn y Deyrnas Unedig oni bai bod atodiad IV yn dweud yn wahanol. Mae atodiad "
            "IV yn enwi, ar gyfer pob is-brosesydd, ble mae'n prosesu data a sut y caiff unrhyw drosglwyddiad "
            "ei ddiogelu.",
            "Dim ond pan fo cyfraith diogelu data yn caniatáu y byddwn yn trosglwyddo data personol y tu allan "
            "i'r DU: i wlad neu sefydliad a gymeradwywyd gan reoliadau o dan Erthygl 45A o GDPR y DU (a elwid "
            "yn rheoliadau digonolrwydd cyn Deddf Data (Defnydd a Mynediad) 2025), gan gynnwys Estyniad y DU i "
            "Fframwaith Preifatrwydd Data'r UE a'r UD ar gyfer derbynnydd ardystiedig; neu gyda mesurau "
            "diogelu priodol o dan Erthygl 46, fel y Cytundeb Trosglwyddo Data Rhyngwladol (IDTA) neu'r "
            "Atodiad Trosglwyddo Data Rhyngwladol i gymalau contractiol safonol yr UE; ym mhob achos ar ôl i ni "
            "wirio nad yw'r diogelwch yn sylweddol is nag yn y DU.",
        ),
    ),
    Clause(
        "government",
        "Ceisiadau gan awdurdodau cyhoeddus",
        (
            "Os bydd llys, rheoleiddiwr neu awdurdod cyhoeddus arall, yn y DU neu mewn man arall, yn gofyn i ni "
            "neu i is-brosesydd am eich data personol, rydym yn rhoi gwybod i chi yn brydlon oni bai bod y gyfraith "
            "yn gwahardd hynny, yn datgelu dim ond yr hyn y mae'n ofynnol i ni yn gyfreithiol ei ddatgelu, ac "
            "yn herio cais y credwn ei fod yn anghyfreithlon neu'n rhy eang pan fo gennym sail i wneud hynny. "
            "Pan na chawn roi gwybod i chi, rydym yn gofyn am ganiatâd i wneud hynny.",
            "Unwaith y flwyddyn, ac ar gais, rydym yn dweud wrthych faint o geisiadau o'r fath a oedd yn "
            "ymwneud â'ch data, i'r graddau y mae'r gyfraith yn caniatáu.",
        ),
    ),
    Clause(
        "rights",
        "Eich helpu gyda hawliau pobl",
        (
            "Rydym yn eich helpu, drwy fesurau technegol a threfniadol priodol, i ateb ceisiadau gan ddisgyblion, "
            "rhieni, gofalwyr a staff i arfer eu hawliau (mynediad, cywiro, dileu, cyfyngu, hygludedd, gwrthwynebu, "
            "a hawliau ynghylch penderfyniadau awtomataidd). Os bydd rhywun yn gofyn i ni yn uniongyrchol, rydym yn "
            "anfon y cais ymlaen atoch o fewn pum diwrnod gwaith ac nid ydym yn ei ateb ein hunain oni bai eich "
            "bod yn gofyn i ni wneud hynny.",
        ),
    ),
    Clause(
        "complaints",
        "Eich helpu gyda chwynion",
        (
            "Os bydd rhywun yn cwyno wrthym am brosesu ei ddata personol ar eich rhan, rydym yn anfon y gŵyn "
            "ymlaen atoch o fewn pum diwrnod gwaith. Rydym yn rhoi'r wybodaeth a'r cymorth sydd eu hangen "
            "arnoch i gydnabod cwynion, ymchwilio iddynt a'u hateb o dan adran 164A o Ddeddf Diogelu Data 2018 "
            "o fewn yr amserau y mae'n eu pennu.",
        ),
    ),
    Clause(
        "assistance",
        "Eich helpu i gyflawni eich dyletswyddau eraill",
        (
            "Gan ystyried natur y prosesu a'r hyn a wyddom amdano, rydym yn eich helpu gyda diogelwch "
            "(Erthygl 32), hysbysu'r Comisiynydd Gwybodaeth a'r bobl yr effeithir arnynt am achosion o dor "
            "data (Erthyglau 33 a 34), asesiadau o'r effaith ar ddiogelu data (Erthygl 35) ac ymgynghori "
            "ymlaen llaw â'r Comisiynydd Gwybodaeth (Erthygl 36). Mae'r porth yn rhoi drafft o "
            "asesiad o'r effaith ar ddiogelu data i chi, wedi'i lunio o ffeithiau eich prosesu eich hun.",
        ),
    ),
    Clause(
        "breach",
        "Rhoi gwybod i chi am dor data personol",
        (
            "Rydym yn rhoi gwybod i'ch cyswllt ar gyfer hysbysiadau heb oedi gormodol, ac o fewn 72 awr i ddod "
            "yn ymwybodol beth bynnag, am unrhyw dor data personol sy'n effeithio ar eich data, gan gynnwys un "
            "mewn is-brosesydd.",
            "Rydym yn rhoi i chi yr hyn y mae Erthygl 33(3) yn ei ofyn, i'r graddau y gwyddom ef ar y pryd: "
            "natur y tor, categorïau a niferoedd bras y bobl a'r cofnodion dan sylw, enw a manylion cyswllt ein "
            "swyddog diogelu data, y canlyniadau tebygol, a'r mesurau a gymerwyd neu a gynigir, gan gynnwys i "
            "leihau ei effeithiau. Pan nad ydym yn gwybod rhywbeth eto, rydym yn dweud hynny ac yn anfon "
            "diweddariadau wrth i ni ddysgu mwy, heb oedi gormodol pellach.",
            "Nid ydym yn gwneud unrhyw ddatganiad am dor o'ch data i'r Comisiynydd Gwybodaeth, i rieni, "
            "disgyblion neu staff, nac i'r wasg, heb ymgynghori â chi yn gyntaf, oni bai bod y gyfraith yn "
            "ei gwneud yn ofynnol i ni wneud hynny.",
            "Ein swyddog diogelu data, {vendor_dpo_name} ({vendor_dpo_email}), yw eich cyswllt ar gyfer tor data.",
        ),
    ),
    Clause(
        "audits",
        "Gwybodaeth ac archwiliadau",
        (
            "Rydym yn cadw cofnodion o'r prosesu a wnawn ar eich rhan ac yn sicrhau bod yr holl wybodaeth "
            "sydd ei hangen arnoch i ddangos ein bod yn bodloni Erthygl 28 ar gael i chi, gan gynnwys ein trosolwg "
            "diogelwch (a gyhoeddir yn {security_overview_url}), ein cofrestr is-broseswyr a'r cofnodion "
            "o'ch gosodiadau.",
            "Rydym yn caniatáu ac yn cyfrannu at archwiliadau ac arolygiadau gennych chi neu gan archwilydd a "
            "benodir gennych, ar ôl rhybudd rhesymol ac yn gyfrinachol, ac rydym yn ateb eich cwestiynau "
            "ysgrifenedig am y cytundeb hwn o fewn 30 diwrnod.",
        ),
    ),
    Clause(
        "noncompliance",
        "Atal dros dro a dod â'r cytundeb i ben",
        (
            "Os na allwn ddilyn y cytundeb hwn, am ba reswm bynnag, rydym yn rhoi gwybod i chi yn brydlon. Cewch "
            "wedyn atal ein prosesu o'ch data dros dro nes i ni gydymffurfio eto neu nes i'r cytundeb ddod "
            "i ben.",
            "Cewch ddod â'r cytundeb hwn, neu'r rhan o'r gwasanaeth yr effeithir arni, i ben "
            "drwy hysbysiad ysgrifenedig os cawsom ein hatal dros dro ac nad ydym yn cydymffurfio o fewn mis; os "
            "ydym yn torri'r cytundeb hwn neu gyfraith diogelu data yn sylweddol neu dro ar ôl tro; neu os "
            "ydym yn methu â chydymffurfio â phenderfyniad rhwymol gan lys cymwys neu gan y Comisiynydd "
            "Gwybodaeth ynghylch ein dyletswyddau o dan y cytundeb hwn neu gyfraith diogelu data.",
            "Cawn ddod â'r cytundeb i ben os ydych yn mynnu cyfarwyddyd sy'n torri cyfraith diogelu "
            "data ar ôl i ni ddweud hynny wrthych o dan gymal 3.3.",
        ),
    ),
    Clause(
        "end",
        "Allforio, dychwelyd a dileu ar y diwedd",
        (
            "Ar unrhyw adeg, a phan ddaw'r gwasanaeth i ben, cewch ofyn am allforio eich data mewn fformat "
            "cyffredin y gall peiriant ei ddarllen (CSV a JSON, gyda ffeiliau yn eu fformatau gwreiddiol). Rydym "
            "yn ei ddarparu o fewn {export_days} diwrnod, yn rhad ac am ddim.",
            "Pan ddaw'r gwasanaeth i ben, yn ôl eich dewis, rydym yn dileu'r data personol neu'n "
            "ei ddychwelyd i chi ac yna'n ei ddileu, yn ein systemau ac ym mhob is-brosesydd, o fewn "
            "{deletion_days} diwrnod i'ch dewis (neu i'r diwedd, os na fyddwch yn dewis), oni bai bod "
            "cyfraith y DU yn ei gwneud yn ofynnol i ni ei gadw; caiff copïau wrth gefn eu trosysgrifo o fewn y "
            "cyfnod cadw yn atodiad III. Yna rydym yn cadarnhau'r dileu i chi yn ysgrifenedig.",
        ),
    ),
    Clause(
        "law",
        "Y gyfraith, newidiadau a threfn y dogfennau",
        (
            "Caiff y cytundeb hwn ei lywodraethu gan gyfraith Cymru a Lloegr, a llysoedd Cymru a Lloegr sy'n "
            "penderfynu ar anghydfodau yn ei gylch, heb gyfyngu ar unrhyw hawl sydd gennych i gwyno wrth y "
            "Comisiynydd Gwybodaeth.",
            "Cawn gyhoeddi fersiwn newydd o'r cytundeb hwn; dim ond pan fyddwch yn ei llofnodi y mae'n "
            "berthnasol i chi, ac mae'r fersiwn a lofnodwyd gennych yn parhau mewn grym tan hynny. Mae'r "
            "cytundeb hwn yn ysgrifenedig, gan gynnwys ar ffurf electronig, a chaiff pob copi wedi'i lofnodi ei "
            "selio fel bod unrhyw newid diweddarach iddo yn dangos.",
            "Cyhoeddir y cytundeb hwn yn Gymraeg ac yn Saesneg, ac mae i'r testun Cymraeg a'r testun "
            "Saesneg statws cyfartal. Rydych yn ei lofnodi yn yr iaith a ddewiswch, ac mae'r copi wedi'i "
            "lofnodi yn nodi pa fersiwn iaith a dderbyniwyd.",
        ),
    ),
)

# Annex II as written (until the register's facts replace the rows: see processing.py).
PROCESSING: tuple[tuple[str, str], ...] = (
    ("Pwnc", "Darparu {vendor_name}, meddalwedd addysgu a chynllunio, i ysgol neu ysgolion y rheolydd."),
    (
        "Hyd",
        "Cyhyd ag y bydd y rheolydd yn defnyddio'r gwasanaeth, yna hyd nes y caiff y data ei ddileu neu ei "
        "ddychwelyd o dan gymal 18.",
    ),
    (
        "Natur y prosesu",
        "Casglu, storio, trefnu, adalw, defnyddio, trosglwyddo i'r is-broseswyr yn atodiad IV, a dileu.",
    ),
    (
        "Diben",
        "Galluogi staff i gynllunio gwersi a chreu deunyddiau addysgu, rheoli eu cyfrifon, diogelu'r "
        "gwasanaeth a rhoi'r cymorth y mae'r rheolydd yn gofyn amdano.",
    ),
    (
        "Categorïau o ddata personol",
        "Enwau staff, cyfeiriadau e-bost gwaith a dynodwyr cyfrifon; y cynnwys y mae staff yn ei roi, a all "
        "gyfeirio at ddisgyblion; cofnodion mewngofnodi a defnydd.",
    ),
    (
        "Gwrthrychau data",
        "Staff ysgolion y rheolydd, a disgyblion dim ond i'r graddau y mae staff yn cyfeirio atynt mewn cynnwys.",
    ),
)

# The acceptance record's line on the language accepted (clause "law" states the equal standing).
LANGUAGE = {
    "name": "Cymraeg",
    "label": "Fersiwn iaith a dderbyniwyd",
    "accepted": "Cymraeg. Mae i'r testun Cymraeg a'r testun Saesneg statws cyfartal, fel y mae cymal "
    "{law_clause} yn ei nodi.",
}


def cite_label(provision: str) -> str:
    """How a citation is printed under its clause, in Welsh (clause_map.cite_label's English)."""
    if provision.startswith("DPA 2018 s."):
        return "Deddf Diogelu Data 2018, adran " + provision.removeprefix("DPA 2018 s.")
    if provision.startswith("Chapter"):
        return "GDPR y DU, Pennod " + provision.removeprefix("Chapter ")
    if provision.startswith("28(3) second"):
        return "GDPR y DU, Erthygl 28(3), ail is-baragraff"
    return f"GDPR y DU, Erthygl {provision}"
