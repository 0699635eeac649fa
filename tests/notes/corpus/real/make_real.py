"""Write real.jsonl: real notes from public pages, labelled by hand (run once; kept for provenance).

Each document is one source; notes are renumbered 1..n (the original numbers are in ``orig``).
These notes are held out: they are never used in training and were not looked at while the
parser was built; they were labelled after the parser's design was fixed.
"""
import json
from pathlib import Path

S1 = "https://user.bibliboba.online/books/stalin-s-library-a-dictator-and-his-books/p/142"
S2 = "https://en.wikisource.org/wiki/Page:Pentagon-Papers-Part_IV._A._5.djvu/170"
S3 = "https://history.state.gov/historicaldocuments/frus1964-68v03/ch2?start=61"
S4 = "https://edmoise.sites.clemson.edu/soviet.html"
S5 = "https://muse.jhu.edu/article/28861"

def full(rec, typ, **f):
    return {"record": rec, "kind": "full", "type": typ, "locator": f.pop("locator", ""), **f}

def short(rec, locator="", **f):
    return {"record": rec, "kind": "short", "type": "short", "locator": locator, **f}

def ibid(rec, locator=""):
    return {"record": rec, "kind": "ibid", "type": "ibid", "locator": locator}

DOCS = [
    ("real-roberts2022", S1, [
        (88, "RGASPI, F.558, Op.1, D.5754, L.126. Cited by M. Lavrent’eva, Osobennosti Tekhnologii i Metodov Informatsionno-Psikhologicheskikh Voin SSSR s Velikobritanniei i SShA v Period, 1939–1953 gg, Candidate’s Dissertation, Rossiiskii Universitet Druzhby Narodov, Moscow 2020 p.127.",
         [full("r1", "archival", archive="RGASPI", archive_location="F.558, Op.1, D.5754, L.126"),
          full("r2", "thesis", author=["Lavrent’eva"], title="Osobennosti Tekhnologii i Metodov Informatsionno-Psikhologicheskikh Voin SSSR s Velikobritanniei i SShA v Period, 1939–1953 gg",
               genre="Candidate’s Dissertation", publisher="Rossiiskii Universitet Druzhby Narodov", place="Moscow", date="2020", locator="127")]),
        (89, "Ibid., Op.11, D.1605.", [ibid("r1", "Op.11, D.1605")]),
        (92, "RGASPI, F.558, Op.3, D.28. The cited text marked by Stalin may be found on pp.43–7 of the book.",
         [full("r3", "archival", archive="RGASPI", archive_location="F.558, Op.3, D.28")]),
        (93, "G. Kennan, Memoirs, 1925–1950, Hutchinson: London 1968 pp.279–80.",
         [full("r4", "book", author=["Kennan"], title="Memoirs, 1925–1950", publisher="Hutchinson", place="London", date="1968", locator="279–80")]),
        (94, "See, for example, Kennan’s Reith Lectures: Russia, the Atom and the West, Oxford University Press: London 1958.",
         [full("r5", "book", author=["Kennan"], title="Russia, the Atom and the West", publisher="Oxford University Press", place="London", date="1958")]),
    ]),
    ("real-pentagon1969", S2, [
        (14, "Scigliano, op. cit., 62–68 . Kahin and Lewis, op. cit., 93, 94.",
         [short("p1", "62–68", orphan=True, author=["Scigliano"]), short("p2", "93, 94", orphan=True, author=["Kahin", "Lewis"])]),
        (16, "E.g. Shaplen, op. cit., 101; or Wesley R. Fishel, \"Vietnam's Democratic One-Man Rule,\" in Gettlemen, ed., op. cit., 197–198.",
         [short("p3", "101", orphan=True, author=["Shaplen"]),
          full("p4", "chapter", author=["Fishel"], title="Vietnam's Democratic One-Man Rule", editor=["Gettlemen"], locator="197–198")]),
        (17, "Shaplen, loc. cit.; Scigliano, op. cit., 17.", [short("p3", "", orphan=True, author=["Shaplen"]), short("p1", "17", orphan=True, author=["Scigliano"])]),
        (20, "U.S. Dept. of State, Memorandum of Conversation among Senator Mansfield, Assistant Secretary W. S. Robertson, et al, 7 December 1954.",
         [full("p5", "archival", archive="U.S. Dept. of State", description="Memorandum of Conversation among Senator Mansfield, Assistant Secretary W. S. Robertson, et al", date="1954-12-07")]),
        (23, "U.S. Dept of State, telegram, Saigon 4399, April 7, 1955.",
         [full("p6", "archival", archive="U.S. Dept of State", description="telegram, Saigon 4399", date="1955-04-07")]),
        (26, "U.S. Joint Chiefs of Staff, Memorandum for the Secretary of Defense, dated 9 May 1955, subject: \"Indochina (Vietnam).\"",
         [full("p7", "archival", archive="U.S. Joint Chiefs of Staff", description="Memorandum for the Secretary of Defense", title="Indochina (Vietnam)", date="1955-05-09")]),
    ]),
    ("real-frus1964v03", S3, [
        (158, "Source: Johnson Library, National Security File, Memos to the President, McGeorge Bundy, Vol. XV. Top Secret; Nodis; Eyes Only.",
         [full("f1", "archival", archive="Johnson Library", archive_location="National Security File, Memos to the President, McGeorge Bundy, Vol. XV")]),
        (160, "Source: Department of State, Central Files, POL 27 VIET S. Secret; Exdis.",
         [full("f2", "archival", archive="Department of State", archive_location="Central Files, POL 27 VIET S")]),
        (163, "Source: Johnson Library, National Security File, Country File, Vietnam, Vol. XLI, Memos (A). Confidential.",
         [full("f3", "archival", archive="Johnson Library", archive_location="National Security File, Country File, Vietnam, Vol. XLI, Memos (A)")]),
        (159, "Source: Department of State, Bundy Files: Lot 85 D 240, WPB Chron. Top Secret.",
         [full("f4", "archival", archive="Department of State", archive_location="Bundy Files: Lot 85 D 240, WPB Chron")]),
    ]),
    ("real-moise-bibliography", S4, [
        (1, "King Chen, \"North Vietnam in the Sino-Soviet Dispute, 1962-64\", Asian Survey 4:9 (September 1964), pp. 1023-1036.",
         [full("m1", "article", author=["Chen"], title="North Vietnam in the Sino-Soviet Dispute, 1962-64", container="Asian Survey", volume="4", issue="9", date="1964", locator="1023-1036")]),
        (2, "John Dumbrell, President Lyndon Johnson and Soviet Communism. Manchester, England: Manchester University Press, 2004.",
         [full("m2", "book", author=["Dumbrell"], title="President Lyndon Johnson and Soviet Communism", place="Manchester, England", publisher="Manchester University Press", date="2004")]),
        (3, "Aleksandr Fursenko and Timothy Naftali, Khrushchev's Cold War: The Inside Story of an American Adversary. New York: W.W. Norton, 2006.",
         [full("m3", "book", author=["Fursenko", "Naftali"], title="Khrushchev's Cold War: The Inside Story of an American Adversary", place="New York", publisher="W.W. Norton", date="2006")]),
        (4, "Sergei Blagov, \"Missile Ambushes: Soviet Air Defense Aid,\" Vietnam, August 2001.",
         [full("m4", "magazine", author=["Blagov"], title="Missile Ambushes: Soviet Air Defense Aid", container="Vietnam", date="2001-08")]),
    ]),
    ("real-kimball1998", S5, [
        (1, "Ilya V. Gaiduk. The Soviet Union and the Vietnam War. Chicago: Ivan R. Dee, 1996.",
         [full("k1", "book", author=["Gaiduk"], title="The Soviet Union and the Vietnam War", place="Chicago", publisher="Ivan R. Dee", date="1996")]),
    ]),
]

with (Path(__file__).parent / "real.jsonl").open("w", encoding="utf-8") as fh:
    for doc, url, notes in DOCS:
        for n, (orig, text, cites) in enumerate(notes, start=1):
            fh.write(json.dumps({"doc": doc, "n": n, "orig": orig, "source": url, "style": "real", "text": text,
                                 "spans": [], "citations": cites}, ensure_ascii=False) + "\n")
