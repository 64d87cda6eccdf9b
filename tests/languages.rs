//! Many languages (issue 17): each article's language declared or detected, stored with where it
//! came from, counted and filtered; through the real binary over files in a temp folder.

mod common;

use common::{TestEnv, json_lines};

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
    let out = env.stdout(&["count", "*", "--by", "language", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let mut rows: Vec<(String, u64)> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["bucket"].as_str().unwrap().to_string(),
                r["counts"][0].as_u64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("(none)".to_string(), 1),
            ("de".to_string(), 1),
            ("en".to_string(), 1),
            ("es".to_string(), 1),
            ("fr".to_string(), 1)
        ],
        "{json}"
    );
    let es = env.search(&["--lang", "es", "--any", "*"]);
    assert_eq!(es.len(), 1);
    assert!(es[0].path.ends_with("caravana.txt"));
    let lines = json_lines(&env.stdout(&["search", "--lang", "de", "--format", "jsonl", "*"]));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["language"], "de");
}
