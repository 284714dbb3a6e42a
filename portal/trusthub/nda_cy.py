"""Testun Cymraeg y telerau peidio â datgelu: the Welsh NDA (#29), clause for clause with nda.compose_nda."""

from __future__ import annotations

from typing import Any


def compose(config: Any) -> dict[str, Any]:
    """The NDA in Welsh, headed paragraphs in the English text's order, with the vendor's details."""
    vendor = config["VENDOR_LEGAL_ENTITY"]
    return {
        "title": f"Telerau peidio â datgelu ar gyfer dogfennau diogelwch {config['VENDOR_NAME']}",
        "clauses": [
            {
                "heading": "Rhwng pwy y mae'r telerau hyn",
                "paragraphs": [
                    f"Mae'r telerau hyn rhwng {vendor} (rhif cwmni {config['VENDOR_COMPANY_NUMBER']}, "
                    f"{config['VENDOR_REGISTERED_ADDRESS']}) a'r ysgol neu'r ymddiriedolaeth a enwir pan "
                    "gaiff y telerau eu derbyn (y derbynnydd). Mae'r person sy'n eu derbyn yn cadarnhau y "
                    "caiff gytuno iddynt ar ran y derbynnydd.",
                ],
            },
            {
                "heading": "Beth sy'n gyfrinachol",
                "paragraphs": [
                    f"Mae pob dogfen y mae {vendor} yn ei rhoi i'r derbynnydd drwy ei dudalennau dogfennau "
                    "diogelwch o dan y telerau hyn, ac unrhyw beth sydd ynddi, yn wybodaeth gyfrinachol. Caiff pob "
                    "copi ei farcio ag enw'r person y'i rhoddwyd iddo, ei sefydliad a'r dyddiad.",
                    "Nid yw gwybodaeth yn gyfrinachol os yw eisoes yn gyhoeddus heb fai ar y derbynnydd, os oedd "
                    "gan y derbynnydd eisoes yn gyfreithlon heb ddyletswydd cyfrinachedd, neu os cafodd ei "
                    "datblygu'n annibynnol heb ddefnyddio'r wybodaeth gyfrinachol.",
                ],
            },
            {
                "heading": "Beth y caiff y derbynnydd ei wneud â hi",
                "paragraphs": [
                    "Ei defnyddio dim ond i asesu diogelwch ein gwasanaeth ar gyfer caffael, diwydrwydd dyladwy, "
                    "asesiad o'r effaith ar ddiogelu data neu archwiliad y derbynnydd ei hun (y diben).",
                    "Ei rhannu dim ond â staff, llywodraethwyr, ymddiriedolwyr a chynghorwyr proffesiynol y "
                    "derbynnydd sydd ei hangen at y diben ac sy'n rhwym i'w chadw'n gyfrinachol. "
                    "Mae'r derbynnydd yn gyfrifol am yr hyn y maent yn ei wneud â hi.",
                    "Peidio â'i chyhoeddi, peidio â'i rhoi i unrhyw un arall, a pheidio â'i "
                    "defnyddio i chwilio am wendidau yn ein gwasanaeth na'u profi. Rhowch wybod am unrhyw "
                    "wendid y credwch ichi ddod o hyd iddo drwy ein cyswllt diogelwch yn lle hynny.",
                ],
            },
            {
                "heading": "Pan fo'r gyfraith yn mynnu datgelu",
                "paragraphs": [
                    "Mae ysgolion ac ymddiriedolaethau yn awdurdodau cyhoeddus. Os bydd y derbynnydd yn cael cais "
                    "o dan Ddeddf Rhyddid Gwybodaeth 2000 neu Reoliadau Gwybodaeth Amgylcheddol 2004, neu os yw'r "
                    "gyfraith, llys neu reoleiddiwr yn mynnu ei fod yn datgelu gwybodaeth gyfrinachol, bydd yn rhoi "
                    f"gwybod i {vendor} yn brydlon pan fo'r gyfraith yn caniatáu, yn ystyried unrhyw eithriad "
                    "a nodwn (yn enwedig ar gyfer gwybodaeth y byddai ei datgelu yn niweidio diogelwch systemau neu "
                    "fuddiannau masnachol), ac yn datgelu dim mwy nag sy'n rhaid.",
                ],
            },
            {
                "heading": "Cadw a dychwelyd copïau",
                "paragraphs": [
                    "Cadw copïau'n ddiogel a dim hwy nag sydd ei angen at y diben. Pan ddaw'r diben i ben, "
                    "neu os gofynnwn, eu dileu neu eu dinistrio, ac eithrio pan fo rhaid i'r derbynnydd gadw "
                    "cofnod yn ôl y gyfraith.",
                    "Daw mynediad at ddogfen i ben ar y dyddiad a ddangoswyd pan gafodd ei gymeradwyo, neu'n "
                    "gynharach os byddwn yn ei ddirymu. Mae dyletswyddau'r derbynnydd o dan y telerau hyn yn "
                    "parhau am dair blynedd ar ôl i'r copi olaf gael ei roi.",
                ],
            },
            {
                "heading": "Nid oes dim arall yn newid",
                "paragraphs": [
                    "Nid yw'r telerau hyn yn rhoi unrhyw drwydded nac unrhyw warant. Nid ydynt yn newid y "
                    "cytundeb prosesu data rhyngom. Cânt eu llywodraethu gan gyfraith Cymru a Lloegr, a llysoedd "
                    "Cymru a Lloegr sy'n penderfynu ar unrhyw anghydfod yn eu cylch.",
                    "Cyhoeddir y telerau hyn yn Gymraeg ac yn Saesneg, ac mae i'r testun Cymraeg a'r testun "
                    "Saesneg statws cyfartal.",
                ],
            },
        ],
    }
