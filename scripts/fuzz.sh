#!/usr/bin/env bash
# Long fuzzing runs with cargo-fuzz (libFuzzer). Not part of CI: CI runs the same harnesses
# (src/fuzz.rs) as property tests in tests/fuzz_props.rs, plus every saved crash as a regression.
#
#   scripts/fuzz.sh                  # every target for 10 minutes, two at a time
#   FUZZ_SECONDS=60 scripts/fuzz.sh ingest_html query
#
# Needs a nightly toolchain and cargo-fuzz (`rustup toolchain install nightly`,
# `cargo install cargo-fuzz`). Seeds come from sample_corpus/ and a few inline samples; the
# growing corpora stay in fuzz/corpus/ (not committed). Crashes land in fuzz/artifacts/<target>/:
# copy each into tests/fuzz_regressions/<target>/ so the regression test replays it for ever.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

SECONDS_PER_TARGET=${FUZZ_SECONDS:-600}
JOBS=${FUZZ_JOBS:-2}
ALL="ingest_text ingest_markdown ingest_html ingest_json ingest_jsonl ingest_csv ingest_tsv
     ingest_sgml ingest_xml ingest_warc ingest_smart compressed query"
TARGETS=${*:-$ALL}

seed() { # seed TARGET FILE...
    local dir="corpus/$1"; shift
    mkdir -p "$dir"
    for f in "$@"; do [ -f "$f" ] && head -c 65536 "$f" > "$dir/seed-$(basename "$f")"; done
    return 0
}
S=../sample_corpus
seed ingest_text $(find $S -name '*.txt' | head -20)
seed ingest_markdown $(find $S -name '*.md' | head -20)
seed ingest_html $(find $S -name '*.htm*')
seed ingest_json $(find $S -name '*.json')
seed ingest_jsonl $(find $S -name '*.jsonl')
seed ingest_csv $(find $S -name '*.csv')
seed ingest_tsv $(find $S -name '*.tsv')
seed ingest_xml $(find $S -name '*.xml' -o -name '*.rss')
seed compressed $(find $S -name '*.gz')
mkdir -p corpus/ingest_warc corpus/ingest_sgml corpus/ingest_smart corpus/query
gzip -dc $S/warc/crawl-2019-02.warc.gz | head -c 65536 > corpus/ingest_warc/seed-crawl.warc
cat > corpus/ingest_sgml/seed-reuters.sgm <<'SGML'
<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5544" NEWID="1">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TOPICS><D>cocoa</D></TOPICS><PLACES><D>el-salvador</D><D>usa</D></PLACES>
<TEXT>&#2;
<TITLE>BAHIA COCOA REVIEW</TITLE>
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued throughout the week in
the Bahia cocoa zone &lt;Comissaria Smith&gt; said.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
SGML
printf '.I 1\n.T\nexperimental investigation of the aerodynamics of a\nwing in a slipstream .\n.A\nbrenckman,m.\n.B\nj. ae. scs. 25, 1958, 324.\n.W\nan experimental study of a wing in a propeller slipstream.\n.I 2\n.T\nsimple shear flow past a flat plate\n.W\nthe boundary layer\n' > corpus/ingest_smart/seed-cran.all
i=0
for q in 'migrant caravan' '"migrant caravan" -mexico' 'title:caravan AND (border OR wall)' \
         'immigra* carvan~1' 'published:[2018-10-01 TO 2018-11-30]' '=migrants source:"coast post"' \
         '*' 'a AND NOT b' '(((x)))' 'author:ruiz lang:en'; do
    printf '%s' "$q" > corpus/query/seed-$i; i=$((i + 1))
done

cargo +nightly fuzz build -O
run() {
    local t=$1
    mkdir -p "artifacts/$t"
    echo "== $t: ${SECONDS_PER_TARGET}s"
    # Fork mode keeps going after a crash, so one run collects every distinct failure.
    cargo +nightly fuzz run -O "$t" -- -max_total_time="$SECONDS_PER_TARGET" -fork=1 \
        -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 > "artifacts/$t/log.txt" 2>&1 || true
    local n; n=$(find "artifacts/$t" -type f ! -name log.txt | wc -l)
    local stats; stats=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "artifacts/$t/log.txt" | tail -1 || true)
    local execs; execs=$(grep -Eo 'exec/s: [0-9]+' "artifacts/$t/log.txt" | tail -1 || true)
    echo "== $t done: ${stats:-no stats}, ${execs:-?}, $n failing inputs in fuzz/artifacts/$t"
}
export -f run
export SECONDS_PER_TARGET
printf '%s\n' $TARGETS | xargs -P "$JOBS" -I{} bash -c 'run {}'
