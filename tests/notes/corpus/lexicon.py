"""Values the corpus generator draws records from: people, titles, publishers, periodicals, archives.

These are the generator's own lists (our words), written to look like the notes of Cold War
history books. They are *record material*, not the importer's lexicons (those live in
studyguide/notes/data/). Records, not lists, are split into train/dev/heldout.
"""

from __future__ import annotations

WESTERN_GIVEN = ["Ilya", "Mari", "Lorenz", "Odd Arne", "Sergey", "Pierre", "Mark", "Fredrik", "Ang", "Kathryn",
                 "James G.", "Robert K.", "Anne", "William J.", "Jeremi", "Gregg", "Mark Philip", "Jessica M.",
                 "Christopher E.", "Edwin A.", "Merle L.", "Balázs", "Csaba", "Mieczysław", "Heike", "Bernd",
                 "Vojtech", "Jordan", "Svetlana", "Vladislav M.", "Natalia I.", "Douglas", "Ronald H.", "Frank",
                 "Lloyd C.", "Martin", "Hanna", "Elena", "Tobias", "Ruth", "Dmitri", "Nicholas", "Laura", "Ellen J.",
                 "Julia", "Simon", "Thomas A.", "Ada", "Gerhard", "Václav", "Peter", "Oriana", "Marc"]
WESTERN_FAMILY = ["Gaiduk", "Olsen", "Lüthi", "Westad", "Radchenko", "Asselin", "Bradley", "Logevall", "Statler",
                  "Hershberg", "Kennan", "Brigham", "Elkind", "Suri", "Herring", "Chapman", "Goscha", "Miller",
                  "Szőke", "Békés", "Rakowski", "Amos", "Schaefer", "Mastny", "Baev", "Savranskaya", "Zubok",
                  "Yegorova", "Pike", "Spector", "Kolko", "Gardner", "Loicano", "Vickers", "Ostermann", "Kramer",
                  "Selverstone", "Hunt", "Kochavi", "Friedman", "Prados", "Weathersby", "Rogers", "Marchetti",
                  "Harrison", "van der Heide", "de Quirielle", "McMahon", "O'Donnell", "Dallin", "Schulzinger"]
# Family-first names (family name first word), written as people publish them.
EAST_ASIAN = ["Chen Jian", "Xia Yafeng", "Yang Kuisong", "Li Danhui", "Shen Zhihua", "Niu Jun", "Zhang Shuguang",
              "Qu Xing", "Nguyen Vu Tung", "Luu Doan Huynh", "Tran Quang Co", "Pham Van Dong", "Vo Nguyen Giap",
              "Niu Dayong", "Dai Chaowu", "Wang Dong", "Zhou Wenzhong", "Hoang Van Hoan", "Le Duan", "Nguyen Co Thach"]
WESTERN_ORDER_ASIAN = ["Qiang Zhai", "Lien-Hang T. Nguyen", "Pierre Asselin", "Tuong Vu", "Hue-Tam Ho Tai",
                       "Ang Cheng Guan", "Xiaoming Zhang", "Yafeng Xia", "Jian Chen"]

TITLE_TOPICS = ["the Sino-Soviet Split", "the Vietnam War", "the Cold War in Asia", "Soviet Policy toward Indochina",
                "the Geneva Conference", "the Tonkin Gulf Crisis", "the Tet Offensive", "Socialist Solidarity",
                "the Paris Peace Talks", "Hanoi's War", "the Ho Chi Minh Trail", "Beijing's Foreign Policy",
                "the Warsaw Pact", "Détente", "the Cultural Revolution", "Peaceful Coexistence",
                "the Third World", "the Bombing of North Vietnam", "Soviet Military Aid", "the Comintern",
                "the Korean Armistice", "Nuclear Diplomacy", "the Prague Spring", "Nonalignment",
                "the International Control Commission", "Border Clashes on the Ussuri", "Propaganda and Power"]
TITLE_FRAMES = ["{A}", "{A} and {B}", "Rethinking {A}", "The Origins of {A}", "Allies at Odds: {A}",
                "{A}, {Y1}–{Y2}", "Brothers in Arms? {A} and {B}", "{A}: A New History",
                "Between Moscow and Beijing: {A}", "The Road to {A}", "Hidden Histories of {A}",
                "{A} Reconsidered", "Friends and Rivals: {A}, {Y1}–{Y2}", "Mao, Khrushchev and {A}",
                "The Limits of {A}", "A Fragile Alliance: {A} and {B}, {Y1}–{Y2}"]
PRESSES = [("Stanford University Press", "Stanford, CA"), ("Princeton University Press", "Princeton, NJ"),
           ("Cornell University Press", "Ithaca, NY"), ("University of North Carolina Press", "Chapel Hill"),
           ("Cambridge University Press", "Cambridge"), ("Oxford University Press", "New York"),
           ("Harvard University Press", "Cambridge, MA"), ("Ivan R. Dee", "Chicago"),
           ("University Press of Kansas", "Lawrence"), ("Routledge", "London"), ("Lexington Books", "Lanham, MD"),
           ("Rowman & Littlefield", "Lanham, MD"), ("Central European University Press", "Budapest"),
           ("Woodrow Wilson Center Press", "Washington, DC"), ("Nauka", "Moscow"),
           ("Zhongyang wenxian chubanshe", "Beijing"), ("Nhà xuất bản Chính trị Quốc gia", "Hanoi"),
           ("University of California Press", "Berkeley"), ("Palgrave Macmillan", "New York"),
           ("Columbia University Press", "New York"), ("Yale University Press", "New Haven, CT"),
           ("Éditions Vendémiaire", "Paris"), ("Ch. Links", "Berlin"), ("Indiana University Press", "Bloomington")]
JOURNALS = ["Diplomatic History", "Cold War History", "Journal of Cold War Studies", "The China Quarterly",
            "Journal of Vietnamese Studies", "Europe-Asia Studies", "International History Review",
            "Journal of Southeast Asian Studies", "Pacific Historical Review", "Modern Asian Studies",
            "Cold War International History Project Bulletin", "Journal of American History",
            "Slavic Review", "Kritika", "Journal of Contemporary History", "Vingtième Siècle"]
NEWSPAPERS = ["New York Times", "Washington Post", "Pravda", "Izvestiia", "Le Monde", "The Times", "Guardian",
              "Renmin ribao", "Nhân Dân", "Christian Science Monitor", "Los Angeles Times", "Neues Deutschland"]
MAGAZINES = ["Time", "Newsweek", "The Nation", "New Yorker", "Peking Review", "Far Eastern Economic Review",
             "Life", "The Atlantic"]
UNIVERSITIES = ["Yale University", "Cornell University", "University of Wisconsin–Madison", "Harvard University",
                "London School of Economics", "University of Oslo", "Ohio University", "Temple University",
                "University of California, Berkeley", "National University of Singapore"]
SERIES = [("Cold War International History Project", "Working Paper"), ("Cold War International History Project",
          "e-Dossier"), ("Harvard Cold War Studies", "Book Series"), ("Nuclear Proliferation International "
          "History Project", "Working Paper"), ("RAND Corporation", "Memorandum"), ("Parallel History Project",
          "Working Paper")]
NEWS_HEADS = ["Hanoi Rejects Peace Overture", "Soviet Aid to Vietnam Rises", "Peking Warns Moscow",
              "Kosygin Arrives in Hanoi", "Talks Stall in Paris", "Border Clash Reported on Ussuri",
              "U.S. Planes Strike North", "Chinese Troops Withdraw", "Brezhnev Hails Solidarity",
              "Le Duan Visits Moscow", "Summit Ends without Accord", "Aid Shipments Delayed at Border"]

# Archival systems: (archive name, abbreviation, place, original-language name or "")
RUSSIAN_ARCHIVES = [
    ("Russian State Archive of Contemporary History", "RGANI", "Moscow", "Rossiiskii gosudarstvennyi arkhiv noveishei istorii"),
    ("Russian State Archive of Socio-Political History", "RGASPI", "Moscow", "Rossiiskii gosudarstvennyi arkhiv sotsial'no-politicheskoi istorii"),
    ("Archive of Foreign Policy of the Russian Federation", "AVPRF", "Moscow", "Arkhiv vneshnei politiki Rossiiskoi Federatsii"),
    ("State Archive of the Russian Federation", "GARF", "Moscow", "Gosudarstvennyi arkhiv Rossiiskoi Federatsii"),
    ("Russian State Archive of the Economy", "RGAE", "Moscow", "Rossiiskii gosudarstvennyi arkhiv ekonomiki"),
    ("Archive of the President of the Russian Federation", "APRF", "Moscow", "Arkhiv Prezidenta Rossiiskoi Federatsii"),
    ("Central State Archive of Public Organizations of Ukraine", "TsDAHO", "Kyiv", ""),
]
RUSSIAN_UNITS = [("fond", "opis", "delo", "list", "listy"), ("f.", "op.", "d.", "l.", "ll.")]
US_LIBRARIES = [
    ("Lyndon Baines Johnson Library", "LBJL", "Austin, TX"), ("John F. Kennedy Presidential Library", "JFKL", "Boston, MA"),
    ("Richard Nixon Presidential Library", "RNPL", "Yorba Linda, CA"), ("Gerald R. Ford Library", "GRFL", "Ann Arbor, MI"),
    ("Dwight D. Eisenhower Library", "DDEL", "Abilene, KS"), ("Jimmy Carter Library", "JCL", "Atlanta, GA"),
]
US_COLLECTIONS = ["National Security File, Country File, Vietnam", "National Security File, Memos to the President",
                  "White House Central Files", "NSC Files, Henry A. Kissinger Office Files", "President's Office Files",
                  "White House Special Files, Staff Member and Office Files", "Papers of McGeorge Bundy"]
NARA = [("National Archives and Records Administration", "NARA", "College Park, MD"),
        ("National Archives", "NA", "College Park, MD"), ("National Archives II", "NA II", "College Park, MD")]
NARA_SERIES = ["Central Foreign Policy Files, 1964–66", "Subject-Numeric Files, 1967–69", "Records of the Policy Planning Staff",
               "Lot Files, Office of the Executive Secretariat", "Records of the Joint Chiefs of Staff",
               "Records of the U.S. Forces in Southeast Asia"]
NARA_FILES = ["POL 27 VIET S", "POL 1 CHICOM-USSR", "DEF 19 US-VIET S", "POL 32-1 CHICOM-USSR", "AID (US) VIET S",
              "POL 7 VIET N"]
UK_ARCHIVES = [("The National Archives", "TNA", "Kew"), ("Public Record Office", "PRO", "Kew"),
               ("The National Archives of the United Kingdom", "TNA", "London")]
UK_SERIES = ["FO 371", "PREM 13", "CAB 128", "CAB 129", "FCO 15", "FCO 21", "DEFE 11", "PREM 11"]
CHINESE_ARCHIVES = [("Chinese Foreign Ministry Archive", "PRC FMA", "Beijing", "Zhonghua renmin gongheguo waijiaobu dang'anguan"),
                    ("Jiangsu Provincial Archives", "JPA", "Nanjing", ""), ("Shanghai Municipal Archives", "SMA", "Shanghai", ""),
                    ("Guangxi Zhuang Autonomous Region Archives", "GZARA", "Nanning", "")]
VIETNAMESE_ARCHIVES = [("National Archives Center III", "NAC III", "Hanoi", "Trung tâm Lưu trữ Quốc gia III"),
                       ("National Archives Center II", "NAC II", "Ho Chi Minh City", "Trung tâm Lưu trữ Quốc gia II"),
                       ("Vietnamese Communist Party Archive", "VCPA", "Hanoi", "Văn phòng Trung ương Đảng")]
VIETNAMESE_FONDS = ["Phủ Thủ tướng", "Văn phòng Quốc hội", "Bộ Ngoại giao", "Phủ Tổng thống Đệ nhị Cộng hòa",
                    "Ủy ban Kế hoạch Nhà nước"]
EAST_EUROPEAN = [
    # (archive, abbrev, place, original, unit words)
    ("Archive of the Ministry of Foreign Affairs", "AMSZ", "Warsaw", "Archiwum Ministerstwa Spraw Zagranicznych",
     ("zespół", "wiązka", "teczka")),
    ("Central Archives of Modern Records", "AAN", "Warsaw", "Archiwum Akt Nowych", ("KC PZPR", "sygn.", "")),
    ("Hungarian National Archives", "MNL OL", "Budapest", "Magyar Nemzeti Levéltár Országos Levéltára",
     ("XIX-J-1-j", "doboz", "")),
    ("Foundation Archives of Parties and Mass Organizations of the GDR in the Federal Archives", "SAPMO-BArch", "Berlin",
     "Stiftung Archiv der Parteien und Massenorganisationen der DDR im Bundesarchiv", ("DY 30", "", "")),
    ("Political Archive of the Federal Foreign Office", "PA AA", "Berlin", "Politisches Archiv des Auswärtigen Amts",
     ("MfAA", "", "")),
    ("Central State Archive", "TsDA", "Sofia", "Tsentralen darzhaven arhiv", ("f.", "op.", "a.e.")),
    ("National Archives of the Czech Republic", "NA", "Prague", "Národní archiv", ("KSČ-ÚV", "sv.", "a.j.")),
    ("Central State Archive", "AQSh", "Tirana", "Arkivi Qendror Shtetëror", ("F. 14/AP", "V.", "D.")),
    ("Romanian National Archives", "ANIC", "Bucharest", "Arhivele Naționale Istorice Centrale", ("fond CC al PCR", "dosar", "")),
]
OFFICIALS = ["Khrushchev", "Brezhnev", "Kosygin", "Mikoyan", "Suslov", "Andropov", "Gromyko", "Shcherbakov",
             "Mao Zedong", "Zhou Enlai", "Liu Shaoqi", "Deng Xiaoping", "Chen Yi", "Kang Sheng",
             "Ho Chi Minh", "Le Duan", "Pham Van Dong", "Le Duc Tho", "Nguyen Duy Trinh", "Truong Chinh",
             "Dean Rusk", "Robert McNamara", "McGeorge Bundy", "Walt Rostow", "Henry Kissinger", "Averell Harriman",
             "Lyndon B. Johnson", "Richard Nixon", "Ulbricht", "Gomułka", "Kádár", "Novotný", "Zhivkov",
             "Ceaușescu", "Enver Hoxha", "Harold Wilson", "Patrick Gordon Walker", "Michael Stewart",
             "Ambassador Tovmasian", "Ambassador Shcherbakov", "Ambassador Ho Wei"]
DOC_KINDS_CONV = ["Memorandum of conversation between {A} and {B}", "Record of conversation between {A} and {B}",
                  "Memcon, {A} and {B}", "Minutes of conversation between {A} and {B}", "Conversation between {A} and {B}",
                  "Notes on a conversation of {A} with {B}"]
DOC_KINDS_FROM = ["{A} to {B}", "Telegram from {A} to {B}", "Letter from {A} to {B}", "Memorandum, {A} to {B}",
                  "Cable, {A} to {B}", "Report by {A} to {B}", "{A} to {B}, telegram"]
DOC_KINDS_ONE = ["Speech by {A}", "Report by {A}", "Diary of {A}", "Minutes of the Politburo meeting",
                 "Instructions to the embassy in Hanoi", "Note of the Soviet embassy", "Information on the talks in Hanoi",
                 "Record of the Presidium session", "Transcript of the plenum"]
PLACES_SENT = ["Hanoi", "Moscow", "Beijing", "Saigon", "Washington", "Warsaw", "Budapest", "Berlin", "Paris", "London"]
WILSON_TITLES = ["Record of Conversation between {A} and {B}", "Telegram from {A} to {B}", "Discussion between {A} and {B}",
                 "Report from {A} on the Situation in Vietnam", "Letter from {A} to {B}", "Minutes of Conversation, {A} and {B}"]
TRANSLATORS = ["Lorenz Lüthi", "Sergey Radchenko", "Chen Jian", "Gary Goldberg", "Malgorzata Gnoinska",
               "Péter Vámos", "Bernd Schaefer", "Merle Pribbenow", "Ana Lalaj", "Svetlana Savranskaya"]
INTERVIEWEES = ["Tran Quang Co", "Oleg Troyanovsky", "Mikhail Kapitsa", "Wu Xiuquan", "Nguyen Khac Huynh",
                "Janos Radvanyi", "Luu Doan Huynh", "Ilya Shcherbakov", "William Bundy", "Chester Cooper"]
INTERVIEW_PLACES = ["Hanoi", "Moscow", "Beijing", "Washington, DC", "Budapest", "Ho Chi Minh City"]
WEBSITES = [("Wilson Center Digital Archive", "digitalarchive.wilsoncenter.org/document"),
            ("National Security Archive", "nsarchive.gwu.edu/document"), ("Office of the Historian", "history.state.gov/historicaldocuments"),
            ("Sources and Methods", "wilsoncenter.org/blog-post"), ("Vietnam Center and Archive", "vva.vietnam.ttu.edu/repositories"),
            ("Miller Center", "millercenter.org/the-presidency"), ("H-Diplo", "hdiplo.org/to/RT")]
WEB_TITLES = ["The Sino-Soviet Split and Vietnam", "New Evidence on Soviet Aid", "Hanoi's Road to the Tet Offensive",
              "What the Soviet Archives Say about 1965", "The Albanian Connection", "Roundtable on Hanoi's War",
              "Ho Chi Minh Trail: A History", "Inside the Paris Talks", "The Polish Channel", "Marigold Revisited"]
LEADINS = ["See", "See also", "For a different view, see", "On this point, see", "For the Soviet side, see",
           "On the talks, see", "For a detailed account, see", "Compare", "For the documents, see",
           "This paragraph draws on", "As argued in", "On the aid figures, see", "For background, see"]
QUOTED_IN = ["quoted in", "cited in", "as quoted in"]
