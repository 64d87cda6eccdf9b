//! Ranking behaviour through the real binary: repeated words weigh more, stop words leave verbose
//! queries (never phrases, never a query of nothing else), and the default mode ranks long queries
//! by any word and relaxes short ones that find too few articles, saying so.

mod common;

use common::{JsonHit, TestEnv, json_lines, succeeded};

/// A small archive: `n` filler articles about harbours, plus the ones a test adds.
fn archive(env: &TestEnv, filler: usize) {
    for i in 0..filler {
        env.write(
            &format!("filler/{i:03}.txt"),
            format!(
                "Harbour report {i}\n\nShips came and went in the harbour on day {i}. The port \
                 authority counted cargo and the weather was calm.\n"
            ),
        );
    }
}

fn search(env: &TestEnv, args: &[&str]) -> Vec<JsonHit> {
    env.search(args)
}

fn top_path(hits: &[JsonHit]) -> &str {
    hits.first().map_or("", |h| h.path.as_str())
}

#[test]
fn a_repeated_word_weighs_more() {
    let env = TestEnv::new();
    archive(&env, 20);
    // Two articles, each with one of the two words twice and the other once.
    env.write(
        "a.txt",
        "Dispatch one\n\nThe caravan moved north. The caravan was large. Near the border.\n",
    );
    env.write(
        "b.txt",
        "Dispatch two\n\nThe border was closed. The border guards waited. A caravan.\n",
    );
    env.index(&env.archive());
    let caravan = search(&env, &["--any", "caravan caravan border"]);
    let border = search(&env, &["--any", "caravan border border"]);
    assert!(top_path(&caravan).ends_with("a.txt"), "{caravan:?}");
    assert!(top_path(&border).ends_with("b.txt"), "{border:?}");
    // The same article scores higher when the query repeats one of its words.
    let once = search(&env, &["--any", "caravan border"]);
    let a_once = once.iter().find(|h| h.path.ends_with("a.txt")).unwrap();
    let a_twice = caravan.iter().find(|h| h.path.ends_with("a.txt")).unwrap();
    assert!(a_twice.score > a_once.score * 1.2, "{a_twice:?} {a_once:?}");
    // Repeats count in mixed queries too (with a phrase and a field beside them).
    let mixed = search(
        &env,
        &["--any", "caravan caravan caravan border \"the border\""],
    );
    assert!(top_path(&mixed).ends_with("a.txt"), "{mixed:?}");
}

#[test]
fn stop_words_leave_verbose_queries_but_not_phrases_or_queries_of_nothing_else() {
    let env = TestEnv::new();
    archive(&env, 12);
    env.write(
        "who.txt",
        "Concert review\n\nThe Who played the old hall last night.\n",
    );
    env.write(
        "who2.txt",
        "Letters\n\nWho decides? The council, who met on the hall steps.\n",
    );
    env.write(
        "tariff.txt",
        "Trade dispute\n\nThe tariff on steel rose again as the talks failed.\n",
    );
    env.index(&env.archive());
    // A verbose question ranks exactly like its content words: same articles, same scores.
    let verbose = search(&env, &["what is there about the tariff on steel"]);
    let content = search(&env, &["tariff steel"]);
    assert_eq!(verbose.len(), 1);
    assert_eq!(
        verbose
            .iter()
            .map(|h| (&h.path, h.score))
            .collect::<Vec<_>>(),
        content
            .iter()
            .map(|h| (&h.path, h.score))
            .collect::<Vec<_>>()
    );
    // Nothing but stop words: every word is kept (and required).
    let who = search(&env, &["--all", "The Who"]);
    let paths: Vec<&str> = who.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(who.len(), 2, "{paths:?}");
    assert!(paths.iter().all(|p| p.contains("who")), "{paths:?}");
    // A quoted phrase keeps its stop words: only the article with "the who" in a row.
    let phrase = search(&env, &["\"the who\""]);
    assert_eq!(phrase.len(), 1, "{phrase:?}");
    assert!(phrase[0].path.ends_with("who.txt"));
    // Also beside other words: the phrase stays whole.
    let mixed = search(&env, &["\"the who\" played"]);
    assert_eq!(mixed.len(), 1);
    assert!(mixed[0].path.ends_with("who.txt"));
    // A stop word with an operator is kept: `+who` stays required, `-the` excludes.
    let required = search(&env, &["--any", "+who played"]);
    assert_eq!(required.len(), 2, "{required:?}");
    assert!(search(&env, &["--any", "harbour -the"]).is_empty());
}

#[test]
fn few_strict_hits_relax_to_any_word_and_say_so() {
    let env = TestEnv::new();
    archive(&env, 15);
    env.write(
        "both.txt",
        "Cargo and weather\n\nA storm delayed the cargo ships; the weather turned.\n",
    );
    env.index(&env.archive());
    // "calm" and "storm" stand together in no article: 0 strict hits, relaxed to any word.
    let out = succeeded(
        env.cmd()
            .args(["search", "--format", "json", "calm storm"])
            .output()
            .unwrap(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["relaxed"], true);
    assert_eq!(v["total_hits"], 16, "the union of both words");
    // JSON Lines carry the flag on every line.
    let lines = json_lines(&env.stdout(&["search", "--format", "jsonl", "calm storm"]));
    assert!(lines.iter().all(|l| l["relaxed"] == true));
    // Text output says it on stderr.
    let out = succeeded(
        env.cmd()
            .args(["search", "--format", "text", "calm storm"])
            .output()
            .unwrap(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fewer than 10 articles have every word"),
        "{err}"
    );
    // --all keeps every word required: nothing found, exit 1, no note.
    let out = env
        .cmd()
        .args(["search", "--all", "--format", "text", "calm storm"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("fewer than"));
    // Enough strict hits (15 have "harbour" and "calm"): not relaxed.
    let hits = search(&env, &["harbour calm"]);
    assert_eq!(hits.len(), 15);
    assert!(hits.iter().all(|h| !h.relaxed));
    // Sorted by date, nothing relaxes: a date-ordered list of partial matches means little.
    let dated = search(&env, &["--sort", "newest", "calm storm"]);
    assert!(dated.is_empty());
    // Counts count articles with every word.
    let count = env
        .cmd()
        .args(["count", "--format", "json", "--by", "year", "calm storm"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&count.stdout).unwrap();
    assert_eq!(v["totals"][0], 0, "{v}");
}

#[test]
fn five_content_words_rank_by_any_word() {
    let env = TestEnv::new();
    archive(&env, 12);
    env.write(
        "storm.txt",
        "Storm\n\nThe storm hit the cargo ships in the harbour in bad weather.\n",
    );
    env.index(&env.archive());
    // Five content words (stop words aside): any word is enough, best matches first.
    let hits = search(
        &env,
        &["what did the storm do to cargo ships in harbour weather"],
    );
    assert_eq!(hits.len(), 13);
    assert!(hits[0].path.ends_with("storm.txt"));
    assert!(hits.iter().all(|h| !h.relaxed));
    // Five words of which no article has one: still ranked by any word.
    let hits = search(&env, &["cargo ships harbour weather zebra"]);
    assert_eq!(hits.len(), 13);
    assert!(hits.iter().all(|h| !h.relaxed));
    // Four words: every word required (13 articles have them all)...
    let hits = search(&env, &["cargo ships harbour weather"]);
    assert_eq!(hits.len(), 13);
    assert!(hits.iter().all(|h| !h.relaxed));
    // ...and when none has them all, relaxed to any word.
    let hits = search(&env, &["cargo ships harbour zebra"]);
    assert_eq!(hits.len(), 13);
    assert!(hits.iter().all(|h| h.relaxed));
}

#[test]
fn similar_puts_the_articles_near_copies_first_and_leaves_it_out() {
    let env = TestEnv::new();
    archive(&env, 20);
    let story = "Migrant caravan reaches Tijuana\n\nThousands of Central American migrants \
                 reached the Tijuana shelter on Sunday after a month on the road through \
                 Guatemala and Mexico. Volunteers handed out blankets and water.\n";
    env.write("wire/original.txt", story);
    // A near-copy: the same wire story with an edited headline and a sentence added.
    env.write(
        "paper/copy.txt",
        story
            .replace("reaches", "arrives in")
            .replace("water.", "water. Officials expect more arrivals."),
    );
    // Same topic, different story.
    env.write(
        "paper/other.txt",
        "Shelter asks for help\n\nThe Tijuana shelter asked for blankets as migrants kept \
         arriving from Mexico's south.\n",
    );
    env.index(&env.archive());
    let id = search(&env, &["Volunteers blankets Guatemala"])
        .into_iter()
        .find(|h| h.path.ends_with("original.txt"))
        .expect("the original is found")
        .id;
    let hits: Vec<JsonHit> =
        common::parse_jsonl(&env.stdout(&["similar", &id, "--format", "jsonl"]));
    assert!(hits[0].path.ends_with("copy.txt"), "{hits:?}");
    assert!(hits[1].path.ends_with("other.txt"), "{hits:?}");
    assert!(
        hits.iter().all(|h| h.id != id),
        "the article itself is left out"
    );
    assert!(hits[0].score > 2.0 * hits[1].score);
    // Filters apply as in search; an unknown id is an error that says what to use.
    let only = env
        .cmd()
        .args(["similar", &id, "--format", "jsonl", "--source", "nobody"])
        .output()
        .unwrap();
    assert_eq!(only.status.code(), Some(1));
    assert!(only.stdout.is_empty());
    let out = env
        .cmd()
        .args(["similar", "ffffffffffffffff"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no article has the id"));
}

#[test]
fn explain_says_in_words_what_each_term_adds() {
    let env = TestEnv::new();
    archive(&env, 5);
    env.write(
        "a.txt",
        "Caravan news\n\nThe caravan moved north toward the border.\n",
    );
    env.index(&env.archive());
    let out = succeeded(
        env.cmd()
            .args([
                "search",
                "--explain",
                "--format",
                "text",
                "--color",
                "never",
                "caravan caravan border",
            ])
            .output()
            .unwrap(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |word: &str| {
        text.lines()
            .find(|l| l.contains(&format!(" {word} in headline+body")))
            .unwrap_or_else(|| panic!("no line for {word}: {text}"))
            .to_string()
    };
    let caravan = line("caravan");
    assert!(caravan.contains("3 times"), "{caravan}");
    assert!(caravan.contains("idf "), "{caravan}");
    assert!(caravan.contains("(in 1 of 6 articles)"), "{caravan}");
    assert!(caravan.contains("weight 2"), "repeated word: {caravan}");
    let border = line("border");
    assert!(border.contains("1 time,"), "{border}");
    assert!(!border.contains("weight"), "{border}");
    assert!(text.contains("  total"), "{text}");
    assert!(!text.contains('{'), "no JSON: {text}");
}

#[test]
fn prefix_and_fuzzy_words_rank_by_the_words_they_stand_for() {
    let env = TestEnv::new();
    archive(&env, 10);
    env.write(
        "many.txt",
        "Immigration debate\n\nImmigrants and immigration: more immigrants arrived.\n",
    );
    env.write(
        "once.txt",
        "Harbour traffic\n\nShips came and went in the harbour all week, cargo was counted, the \
         weather held, the port authority met, and one immigrant was among the passengers.\n",
    );
    env.index(&env.archive());
    for q in ["immigra*", "imigrants~1"] {
        let hits = search(&env, &[q]);
        assert!(!hits.is_empty(), "{q}");
        assert!(hits[0].path.ends_with("many.txt"), "{q}: {hits:?}");
        if q.ends_with('*') {
            assert_eq!(hits.len(), 2, "every matching article is found");
            assert!(
                hits[0].score > 1.5 * hits[1].score,
                "{q}: ranked, not all alike: {hits:?}"
            );
        }
    }
}
