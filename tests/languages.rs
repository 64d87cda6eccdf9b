//! Many languages (issue 17): each article's language declared or detected, stored with where it
//! came from, counted and filtered; through the real binary over files in a temp folder.

mod common;

use common::{TestEnv, count_rows, json_lines};

const GERMAN: &str = "Die Stadt will die letzten Flüchtlinge aus der Turnhalle bis zum Herbst in \
    eigene Wohnungen bringen. Das sagte der Sozialdezernent am Dienstag im Ausschuss. Rund achtzig \
    Menschen leben seit drei Jahren in der Halle, die nur für wenige Wochen gedacht war. Der \
    Flüchtlingsrat begrüßte den Plan, warnte aber vor einer Verteilung auf wenige Straßen. Für \
    einen jungen Flüchtling aus Eritrea beginnt damit ein neues Kapitel, und die Helfer wollen die \
    Familien auch nach dem Umzug begleiten, bei Behördengängen und bei der Suche nach Kitaplätzen.";

const SPANISH: &str = "La caravana migrante cruzó el sábado el río Suchiate en balsas después de \
    pasar dos noches en el puente fronterizo entre Guatemala y México. Las autoridades abrieron la \
    reja sólo para mujeres con niños, y la mayoría de los hombres prefirió bajar al río. Cada \
    migrante que llega pide una cobija y una comida caliente. Los organizadores anunciaron que el \
    domingo reanudarán la marcha por la carretera costera, mientras el gobierno discute si México \
    debe ser un tercer país seguro para quienes piden asilo en Estados Unidos.";

const FRENCH: &str = "Des milliers de migrants arrivés avec la caravane partie du Honduras attendent \
    désormais à Tijuana de pouvoir déposer une demande d'asile aux États-Unis. La plupart dorment \
    dans un complexe sportif transformé en refuge, où les tentes occupent chaque mètre du terrain. \
    Les autorités municipales disent qu'elles n'ont pas les moyens d'accueillir tout le monde et \
    demandent l'aide du gouvernement fédéral, qui n'a pas encore répondu à leur appel.";

const ENGLISH: &str = "The migrant caravan that left Honduras in October reached Tijuana this week, \
    and city officials said the sports complex they turned into a shelter now holds more than five \
    thousand people. Families sleep under tarps on the baseball field, and volunteers said the \
    lines for water stretch for an hour in the morning. The mayor asked the federal government for \
    help and said the city could not carry the cost alone for months.";

/// A text file with a `Key: value` header block.
fn txt(title: &str, lang: Option<&str>, body: &str) -> String {
    let lang = lang.map(|l| format!("Language: {l}\n")).unwrap_or_default();
    format!("Title: {title}\nDate: 2018-11-20\n{lang}\n{body}\n")
}

fn mixed_archive(env: &TestEnv) {
    env.write("de/fluechtlinge.txt", txt("Neue Wohnungen", None, GERMAN));
    env.write(
        "es/caravana.txt",
        txt("La caravana cruza", Some("es-MX"), SPANISH),
    );
    env.write(
        "fr/caravane.json",
        serde_json::json!({"title": "La caravane à Tijuana", "maintext": FRENCH,
            "date_publish": "2018-11-19", "language": "French"})
        .to_string(),
    );
    env.write(
        "en/caravan.html",
        format!(
            "<html><head><title>Caravan reaches Tijuana</title></head><body><article>\
             <h1>Caravan reaches Tijuana</h1><p>{ENGLISH}</p></article></body></html>"
        ),
    );
    env.write(
        "en/brief.txt",
        "Title: Brief\nDate: 2018-11-20\n\nShelter full.\n",
    );
    env.index(&env.archive());
}

#[test]
fn each_article_gets_its_declared_or_detected_language_and_where_it_came_from() {
    let env = TestEnv::new();
    mixed_archive(&env);
    let hits = env.search(&["--any", "*"]);
    let mut got: Vec<(String, Option<String>, Option<String>)> = hits
        .into_iter()
        .map(|h| {
            let dir = h.path.rsplit('/').nth(1).unwrap().to_string();
            let file = h.path.rsplit('/').next().unwrap().to_string();
            (format!("{dir}/{file}"), h.language, h.language_source)
        })
        .collect();
    got.sort();
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        got,
        [
            ("de/fluechtlinge.txt".into(), s("de"), s("detected")),
            ("en/brief.txt".into(), None, None),
            ("en/caravan.html".into(), s("en"), s("detected")),
            ("es/caravana.txt".into(), s("es"), s("declared")),
            ("fr/caravane.json".into(), s("fr"), s("declared")),
        ]
    );
    // `show` prints where the language came from.
    let hit = &env.search(&["title:wohnungen"])[0];
    let shown = String::from_utf8(env.stdout(&["show", &hit.id])).unwrap();
    assert!(shown.contains("de (detected)"), "{shown}");
}

#[test]
fn count_by_language_and_the_lang_filter() {
    let env = TestEnv::new();
    mixed_archive(&env);
    let mut rows = count_rows(&env, &["*", "--by", "language"]);
    rows.sort();
    assert_eq!(
        rows,
        [
            ("(none)".to_string(), 1),
            ("de".to_string(), 1),
            ("en".to_string(), 1),
            ("es".to_string(), 1),
            ("fr".to_string(), 1)
        ]
    );
    let es = env.search(&["--lang", "es", "--any", "*"]);
    assert_eq!(es.len(), 1);
    assert!(es[0].path.ends_with("caravana.txt"));
    let lines = json_lines(&env.stdout(&["search", "--lang", "de", "--format", "jsonl", "*"]));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["language"], "de");
}

/// Titles of the hits of `args`, sorted.
fn titles(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let mut t: Vec<String> = env.search(args).into_iter().map(|h| h.title).collect();
    t.sort();
    t
}

/// German and Spanish articles (declared), each inflected form in one article only, and English
/// ones: the archive the per-language stemming tests search.
fn inflected_archive(env: &TestEnv) {
    let de = |name: &str, title: &str, body: &str| {
        env.write(&format!("de/{name}.txt"), txt(title, Some("de"), body));
    };
    de(
        "umzug",
        "Die Flüchtlinge ziehen um",
        "Die Stadt bringt die letzten Flüchtlinge aus der Turnhalle in eigene Wohnungen. \
         Das sagte der Sozialdezernent am Dienstag.",
    );
    de(
        "helfer",
        "Helfer begleiten die Familien",
        "Die Helfer wollen mit den Flüchtlingen auch nach dem Umzug zu den Behörden gehen. \
         Der Verein sucht noch Dolmetscher.",
    );
    de(
        "geschichte",
        "Eine Geschichte aus Eritrea",
        "Die Geschichte des Flüchtlings beginnt in einem Dorf am Roten Meer. \
         Heute arbeitet er in einer Bäckerei.",
    );
    de(
        "haushalt",
        "Der Haushalt ist beschlossen",
        "Der Rat hat am Abend den Haushalt für das kommende Jahr beschlossen. \
         Die Schulen bekommen mehr Geld.",
    );
    let es = |name: &str, title: &str, body: &str| {
        env.write(&format!("es/{name}.txt"), txt(title, Some("es"), body));
    };
    es(
        "balsas",
        "Cruzan el río en balsas",
        "Las caravanas cruzaron el río Suchiate en balsas el sábado por la mañana. \
         Las autoridades abrieron la reja sólo para mujeres con niños.",
    );
    es(
        "albergue",
        "El albergue está lleno",
        "Los migrantes duermen en un complejo deportivo de Tijuana. \
         El alcalde pide ayuda al gobierno federal.",
    );
    es(
        "marcha",
        "La marcha sigue el domingo",
        "La caravana migrante reanudará la marcha por la carretera costera el domingo. \
         Los organizadores piden agua y comida.",
    );
    env.write(
        "en/caravan.txt",
        txt("Caravan reaches Tijuana", Some("en"), ENGLISH),
    );
    env.write(
        "en/council.txt",
        txt(
            "Council passes the budget",
            Some("en"),
            "The council passed the budget for next year on Tuesday evening. \
             Schools will get more money and the bus routes stay as they are.",
        ),
    );
    env.index(&env.archive());
}

#[test]
fn one_query_word_finds_its_inflected_forms_in_german_and_spanish() {
    let env = TestEnv::new();
    inflected_archive(&env);
    let german = [
        "Die Flüchtlinge ziehen um",
        "Eine Geschichte aus Eritrea",
        "Helfer begleiten die Familien",
    ];
    // Flüchtlinge, Flüchtlingen, Flüchtlings; the query word folded or not.
    assert_eq!(titles(&env, &["Flüchtling"]), german);
    assert_eq!(titles(&env, &["fluchtling"]), german);
    assert_eq!(titles(&env, &["body:Flüchtlinge"]), german);
    // caravana finds caravanas.
    assert_eq!(
        titles(&env, &["caravana"]),
        ["Cruzan el río en balsas", "La marcha sigue el domingo"]
    );
    // migrante finds migrantes.
    assert_eq!(
        titles(&env, &["--lang", "es", "migrante"]),
        ["El albergue está lleno", "La marcha sigue el domingo"]
    );
    // A Spanish phrase, in its inflected forms.
    assert_eq!(
        titles(&env, &["\"caravanas migrantes\""]),
        ["La marcha sigue el domingo"]
    );
    assert_eq!(
        titles(&env, &["\"caravanas cruzan\""]),
        ["Cruzan el río en balsas"],
        "cruzaron"
    );
    assert_eq!(titles(&env, &["\"caravanas río\""]), Vec::<String>::new());
    // A German phrase.
    assert_eq!(
        titles(&env, &["\"Geschichte des Flüchtling\""]),
        ["Eine Geschichte aus Eritrea"]
    );
}

#[test]
fn lang_restricts_one_query_to_its_languages() {
    let env = TestEnv::new();
    inflected_archive(&env);
    assert_eq!(
        titles(&env, &["--lang", "en", "caravan"]),
        ["Caravan reaches Tijuana"]
    );
    assert_eq!(
        titles(&env, &["--lang", "es", "caravanas"]),
        ["Cruzan el río en balsas", "La marcha sigue el domingo"]
    );
    // One query reads the word in every language of the archive.
    assert_eq!(
        titles(&env, &["Tijuana"]),
        ["Caravan reaches Tijuana", "El albergue está lleno"]
    );
    assert_eq!(
        titles(&env, &["--lang", "es", "Tijuana"]),
        ["El albergue está lleno"]
    );
    assert_eq!(
        titles(
            &env,
            &["--lang", "en", "--lang", "de", "Haushalt OR budget"]
        ),
        ["Council passes the budget", "Der Haushalt ist beschlossen"]
    );
    assert!(titles(&env, &["--lang", "de", "caravana"]).is_empty());
    // Stop words of the query's language: `die` is one in German, so with --lang de it is
    // dropped and `die Flüchtlinge` finds what `Flüchtlinge` finds.
    let out = env.stdout(&[
        "search",
        "--lang",
        "de",
        "--format",
        "jsonl",
        "die Flüchtlinge",
    ]);
    assert_eq!(json_lines(&out).len(), 3);
    // Over every language, a word that is a stop word in only some of them is left out in
    // those and searched in the others: `aber` (German) does not keep `aber Flüchtling` from
    // finding the German articles with every word required.
    let hits = env.search(&["--all", "aber Flüchtling"]);
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|h| h.language.as_deref() == Some("de")));
    // ... and an English stop word leaves the English article's score as it was.
    let english = |q: &str| {
        env.search(&[q])
            .into_iter()
            .find(|h| h.language.as_deref() == Some("en"))
            .map(|h| h.score)
    };
    assert!(english("Tijuana").is_some());
    assert_eq!(english("the Tijuana"), english("Tijuana"));
    // A query of nothing but English stop words still searches its words in English articles.
    assert!(english("the of").is_some());
    // A prefix on the headline stays within each language's own words: `title:die*` is German
    // headline words starting with "die", and `title:de*` those starting with "de", not every
    // German headline (`de:` is the tag of German terms).
    assert_eq!(
        titles(&env, &["title:die*"]),
        ["Die Flüchtlinge ziehen um", "Helfer begleiten die Familien"]
    );
    assert_eq!(
        titles(&env, &["title:de*"]),
        ["Der Haushalt ist beschlossen"]
    );
    // Counting by language stays right when searching.
    let mut rows = count_rows(
        &env,
        &["Flüchtling OR caravan OR caravana", "--by", "language"],
    );
    rows.sort();
    assert_eq!(
        rows,
        [
            ("de".to_string(), 3),
            ("en".to_string(), 1),
            ("es".to_string(), 2)
        ]
    );
}

#[test]
fn snippets_highlight_the_inflected_word_of_the_article_language() {
    let env = TestEnv::new();
    inflected_archive(&env);
    let hits = env.search(&["Flüchtling"]);
    let mut marked: Vec<String> = hits
        .iter()
        .flat_map(|h| {
            let chars: Vec<char> = h.snippet.chars().collect();
            h.highlights
                .iter()
                .map(|[a, b]| chars[*a..*b].iter().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect();
    marked.sort();
    assert_eq!(marked, ["Flüchtlinge", "Flüchtlingen", "Flüchtlings"]);
}

/// Many English articles and a few French ones: a word of the small language must not outrank
/// the English articles only because its language has few articles (BM25 statistics per
/// language, `search::languages`).
#[test]
fn a_small_language_does_not_outrank_english_for_a_shared_word() {
    let env = TestEnv::new();
    let topics = [
        "harbor", "bridge", "school", "budget", "election", "storm", "museum", "library",
        "airport", "hospital", "market", "festival",
    ];
    for (i, t) in topics.iter().enumerate() {
        let extra = if i < 4 {
            " A caravan of trucks brought supplies to the town."
        } else {
            ""
        };
        env.write(
            &format!("en/{t}.txt"),
            txt(
                &format!("News about the {t}"),
                Some("en"),
                &format!(
                    "The city council discussed the {t} on Monday and officials said work would \
                     continue through the spring.{extra} Residents asked questions about costs."
                ),
            ),
        );
    }
    env.write(
        "fr/caravane.txt",
        txt(
            "Nouvelles du port",
            Some("fr"),
            "Le conseil municipal a discuté du port lundi. Une caravane de camions a apporté \
             des vivres à la ville. Les habitants ont posé des questions sur les coûts.",
        ),
    );
    env.write(
        "fr/ecole.txt",
        txt(
            "Nouvelles de l'école",
            Some("fr"),
            "Le conseil municipal a discuté de l'école lundi. Les travaux continueront au \
             printemps. Les habitants ont posé des questions sur les coûts.",
        ),
    );
    env.index(&env.archive());
    let hits = env.search(&["caravan"]);
    assert_eq!(hits.len(), 5, "four English articles and the French one");
    assert_eq!(
        hits[0].language.as_deref(),
        Some("en"),
        "{:?}",
        hits[0].title
    );
    assert_eq!(hits[4].title, "Nouvelles du port");
    // --explain names the language of a term; a French term counts its articles as if French
    // had as many as English (the largest language), whose counts are left as they are.
    let explain = [
        "search",
        "--explain",
        "--format=text",
        "--color=never",
        "caravan",
    ];
    let text = String::from_utf8(env.stdout(&explain)).unwrap();
    let french = text
        .lines()
        .find(|l| l.contains(" caravan (fr) in headline+body"))
        .unwrap_or_else(|| panic!("no French term: {text}"));
    assert!(french.contains("(in 6 of 14 articles)"), "{french}");
    let english = text
        .lines()
        .find(|l| l.contains(" caravan in headline+body"))
        .unwrap_or_else(|| panic!("no English term: {text}"));
    assert!(english.contains("(in 4 of 14 articles)"), "{english}");
}
