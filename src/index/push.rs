//! `newsdex push`: copies a local index to a Quickwit cluster, and afterwards only what changed.
//!
//! Every article the local index holds becomes one NDJSON line ([`DocBuilder`]); lines go in
//! batches under Quickwit's ingest size limit, each with a forced commit, and the push returns
//! only once the cluster answers for every article it sent ([`Pusher::check_searchable`]). A
//! checkpoint in the
//! index folder (`quickwit-push.json`, per cluster index) keeps each pushed article's id and the
//! hash of its line, so the next push sends only new and changed articles, and removes deleted
//! and replaced ones with delete tasks by `id` (Quickwit has no upsert and no custom ids). It is
//! saved after every accepted batch: an interrupted push resends nothing the cluster already has.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tantivy::TantivyDocument;
use tantivy::store::StoreReader;

use crate::error::{Error, Result};
use crate::index::open::StoredSettings;
use crate::index::open_index;
use crate::index::quickwit::{
    Client, DocBuilder, MAX_BATCH_BYTES, Resend, SEQ_FIELD, Target, doc_mapping_yaml,
};

/// Name of the checkpoint file in the local index folder (kept across `index --full`).
pub const CHECKPOINT_FILE: &str = "quickwit-push.json";

/// Ids per delete task (each is one `id:"..." OR ...` query).
const IDS_PER_DELETE_TASK: usize = 200;

/// How long a push waits, after its last batch, for the cluster to answer for every article it
/// sent. Each batch is committed before its request returns, so this is a check that normally
/// passes on its first count.
const SEARCHABLE_WAIT: Duration = Duration::from_secs(60);

/// Batches under way at once (each waits for its own forced commit).
const IN_FLIGHT: usize = 2;

/// What a push is told to do.
pub struct PushOptions {
    pub target: Target,
    /// Write `index-config.yaml` and `articles.ndjson` here instead of sending anything.
    pub dry_run: Option<PathBuf>,
}

/// Progress of a push (a terminal bar in the CLI).
pub trait PushProgress {
    /// `articles` will be sent.
    fn start(&self, articles: u64);
    /// `articles` more were accepted by the cluster (or written, in a dry run).
    fn sent(&self, articles: u64);
}

pub struct NoPushProgress;
impl PushProgress for NoPushProgress {
    fn start(&self, _: u64) {}
    fn sent(&self, _: u64) {}
}

/// What a push did.
#[derive(Debug, Default, Serialize)]
pub struct PushSummary {
    pub target: String,
    /// Whether the cluster index was created by this push.
    pub created: bool,
    /// Articles in the local index.
    pub articles: u64,
    /// Articles sent (new or changed).
    pub sent: u64,
    /// Articles already on the cluster as they are.
    pub unchanged: u64,
    /// Articles removed from the cluster (deleted locally, or replaced by a changed version).
    pub deleted: u64,
    pub batches: u64,
    pub bytes: u64,
    /// Articles of this push the cluster answered for when the push returned (equal to `sent`;
    /// a push that cannot see them all within a minute fails).
    pub searchable: u64,
    pub seconds: f64,
    /// Where a dry run wrote its files.
    pub dry_run: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Checkpoint {
    /// Per cluster index (`quickwit://HOST:PORT/INDEX`).
    targets: BTreeMap<String, TargetCheckpoint>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TargetCheckpoint {
    /// The cluster's uid of the index: a recreated index starts over.
    index_uid: String,
    /// Next push order number (the `seq` fast field).
    next_seq: u64,
    /// Article id -> hash of its pushed line.
    docs: BTreeMap<String, u64>,
}

impl Checkpoint {
    fn load(dir: &Path) -> Result<Checkpoint> {
        let p = dir.join(CHECKPOINT_FILE);
        match std::fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| {
                Error::Usage(format!(
                    "the push checkpoint {} is damaged ({e}): delete it to push everything again \
                     (into a new cluster index, or after deleting the old one)",
                    p.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Checkpoint::default()),
            Err(e) => Err(Error::io(&p, e)),
        }
    }

    fn save(&self, dir: &Path) -> Result<()> {
        let p = dir.join(CHECKPOINT_FILE);
        let tmp = dir.join(format!("{CHECKPOINT_FILE}.tmp"));
        std::fs::write(&tmp, serde_json::to_vec(self)?).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &p).map_err(|e| Error::io(&p, e))
    }
}

/// Every live article of the local index as a cluster document, in index order.
fn for_each_local_doc(
    dir: &Path,
    each: &mut dyn FnMut(crate::index::quickwit::RemoteDoc) -> Result<()>,
) -> Result<u64> {
    let (index, _) = open_index(dir)?;
    let title_weight = StoredSettings::load(dir)
        .map_or(crate::index::schema::DEFAULT_TITLE_WEIGHT, |s| {
            s.title_weight
        });
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| Error::from(e).in_index(dir))?;
    let searcher: tantivy::Searcher = tantivy::IndexReader::searcher(&reader);
    let mut builder = DocBuilder::new(title_weight);
    let mut n = 0;
    for seg in searcher.segment_readers() {
        let store: StoreReader = seg.get_store_reader(64)?;
        let days = seg.fast_fields().i64("day")?;
        let alive = seg.alive_bitset();
        for doc_id in 0..seg.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc_id)) {
                continue;
            }
            let doc: TantivyDocument = store
                .get(doc_id)
                .map_err(|e| Error::from(e).in_index(dir))?;
            each(builder.build(&doc, days.first(doc_id)))?;
            n += 1;
        }
    }
    Ok(n)
}

/// Pushes the local index at `dir` to the cluster (or, with `dry_run`, writes the files).
pub fn push(dir: &Path, opts: &PushOptions, progress: &dyn PushProgress) -> Result<PushSummary> {
    let started = Instant::now();
    let mut summary = PushSummary {
        target: opts.target.url(),
        ..Default::default()
    };
    if let Some(out) = &opts.dry_run {
        dry_run(dir, out, &opts.target, progress, &mut summary)?;
        summary.seconds = started.elapsed().as_secs_f64();
        return Ok(summary);
    }
    // Check the local index before touching the cluster.
    open_index(dir)?;
    let client = Client::new(opts.target.clone())?;
    client.check_version()?;
    let index_uid = cluster_index(&client, &opts.target, &mut summary)?;

    let mut checkpoint = Checkpoint::load(dir)?;
    let key = opts.target.url();
    let mut state = checkpoint.targets.remove(&key).unwrap_or_default();
    if state.index_uid != index_uid {
        // A new (or recreated) cluster index holds nothing of ours.
        state = TargetCheckpoint {
            index_uid: index_uid.clone(),
            ..Default::default()
        };
    }
    let changes = Changes::find(dir, &state)?;
    summary.articles = changes.articles;
    summary.unchanged = changes.articles - changes.changed.len() as u64;
    let mut pusher = Pusher {
        dir,
        client: &client,
        target: &opts.target,
        progress,
        checkpoint,
        key,
        state,
        summary,
        batch: Vec::new(),
        batch_ids: Vec::new(),
    };
    pusher.delete(&changes)?;
    pusher.send_changed(&changes.changed)?;
    let mut summary = pusher.summary;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The cluster's uid of the target index, created (from the doc mapping) when it does not exist.
fn cluster_index(client: &Client, target: &Target, summary: &mut PushSummary) -> Result<String> {
    if client.index_metadata()?.is_some() {
        return client.check_index();
    }
    let yaml = doc_mapping_yaml(&target.index_id);
    let (status, text) = client.call(
        "POST",
        "/api/v1/indexes",
        Some(("application/yaml", yaml.as_bytes())),
    )?;
    client.check(status, &text)?;
    summary.created = true;
    client.check_index()
}

/// What a push must change on the cluster, from a first pass over the local index (ids and
/// hashes only; the lines are rebuilt when sent).
struct Changes {
    /// Articles in the local index.
    articles: u64,
    /// Ids the cluster does not hold as they are now (new or changed).
    changed: BTreeSet<String>,
    /// Ids to delete from the cluster: gone locally, or about to be replaced.
    to_delete: Vec<String>,
}

impl Changes {
    fn find(dir: &Path, state: &TargetCheckpoint) -> Result<Changes> {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut changed: BTreeSet<String> = BTreeSet::new();
        let articles = for_each_local_doc(dir, &mut |d| {
            if state.docs.get(&d.id) != Some(&d.hash) {
                changed.insert(d.id.clone());
            }
            seen.insert(d.id);
            Ok(())
        })?;
        let to_delete = state
            .docs
            .keys()
            .filter(|id| !seen.contains(*id) || changed.contains(*id))
            .cloned()
            .collect();
        Ok(Changes {
            articles,
            changed,
            to_delete,
        })
    }
}

/// A batch sent and not answered yet.
struct InFlight<'s> {
    answer: ScopedJoinHandle<'s, Result<(u16, String)>>,
    /// Ids and hashes of its articles.
    ids: Vec<(String, u64)>,
    bytes: u64,
}

/// A push under way: the checkpoint it saves after every accepted step, and the batch being
/// filled.
struct Pusher<'a> {
    dir: &'a Path,
    client: &'a Client,
    target: &'a Target,
    progress: &'a dyn PushProgress,
    checkpoint: Checkpoint,
    key: String,
    state: TargetCheckpoint,
    summary: PushSummary,
    batch: Vec<u8>,
    batch_ids: Vec<(String, u64)>,
}

impl<'a> Pusher<'a> {
    /// Deletes first: a delete task applies to what the cluster held when it was created, so
    /// the new versions sent afterwards stay.
    fn delete(&mut self, changes: &Changes) -> Result<()> {
        for chunk in changes.to_delete.chunks(IDS_PER_DELETE_TASK) {
            let body =
                json!({ "query": crate::index::quickwit::id_query(chunk), "search_field": ["id"] });
            self.client.json(
                "POST",
                &format!("/api/v1/{}/delete-tasks", self.target.index_id),
                Some(&body),
            )?;
            for id in chunk {
                self.state.docs.remove(id);
            }
            self.summary.deleted += chunk.len() as u64;
            self.save()?;
        }
        // A replaced article is sent again, not deleted.
        self.summary.deleted -= changes
            .to_delete
            .iter()
            .filter(|id| changes.changed.contains(*id))
            .count() as u64;
        Ok(())
    }

    /// Sends the new and changed articles in batches under the ingest size limit, then checks
    /// that the cluster answers for all of them.
    ///
    /// Every batch asks for `commit=force`, which returns once the batch is searchable. A forced
    /// commit on the last batch alone is not enough: Quickwit 0.8 (ingest v2) spreads batches
    /// over several write-ahead shards (three on a one-node cluster) and a forced commit waits
    /// only for the shard its own request went to; documents of the other shards that the
    /// indexer had not read yet wait for the index's `commit_timeout_secs` (600 s), so an export
    /// right after a push missed some of them. A forced commit makes one split per batch (one
    /// per 8 MB), which Quickwit's merge policy joins later, and waits for it to be published:
    /// [`IN_FLIGHT`] batches are under way at once so that the cluster indexes one while it
    /// publishes the other.
    fn send_changed(&mut self, changed: &BTreeSet<String>) -> Result<()> {
        self.progress.start(changed.len() as u64);
        if changed.is_empty() {
            return Ok(());
        }
        let first_seq = self.state.next_seq;
        let dir = self.dir;
        let path = format!("/api/v1/{}/ingest?commit=force", self.target.index_id);
        std::thread::scope(|scope| {
            let mut in_flight = VecDeque::new();
            let built = for_each_local_doc(dir, &mut |d| {
                if !changed.contains(&d.id) {
                    return Ok(());
                }
                let mut line = d.json;
                line.insert(SEQ_FIELD.into(), json!(self.state.next_seq));
                self.state.next_seq += 1;
                let bytes = serde_json::to_vec(&line)?;
                if !self.batch.is_empty() && self.batch.len() + bytes.len() + 1 > MAX_BATCH_BYTES {
                    if in_flight.len() == IN_FLIGHT {
                        self.accept(in_flight.pop_front())?;
                    }
                    in_flight.push_back(self.dispatch(scope, &path));
                }
                self.batch.extend_from_slice(&bytes);
                self.batch.push(b'\n');
                self.batch_ids.push((d.id, d.hash));
                Ok(())
            });
            if built.is_ok() && !self.batch.is_empty() {
                in_flight.push_back(self.dispatch(scope, &path));
            }
            // Every batch under way is waited for and recorded even after an error: the
            // cluster may have taken it, and a batch sent twice would be indexed twice.
            let mut outcome = built.map(|_| ());
            for batch in in_flight {
                let accepted = self.accept(Some(batch));
                outcome = outcome.and(accepted);
            }
            outcome
        })?;
        self.check_searchable(first_seq)
    }

    /// Starts sending the batch being filled (on a thread of `scope`); [`Pusher::accept`] takes
    /// the answer.
    fn dispatch<'s>(&mut self, scope: &'s Scope<'s, '_>, path: &'s str) -> InFlight<'s>
    where
        'a: 's,
    {
        let body = std::mem::take(&mut self.batch);
        let bytes = body.len() as u64;
        let client = self.client;
        // Refusals (503 while the cluster opens an ingest shard, 429) are retried; a dropped
        // connection is not, as the cluster may have taken the batch.
        let answer = scope.spawn(move || {
            client.call_with(
                "POST",
                path,
                Some(("application/x-ndjson", body.as_slice())),
                Resend::OnlyIfRefused,
            )
        });
        InFlight {
            answer,
            ids: std::mem::take(&mut self.batch_ids),
            bytes,
        }
    }

    /// Waits for the cluster's answer to a batch and saves the checkpoint once it has taken it.
    fn accept(&mut self, batch: Option<InFlight<'_>>) -> Result<()> {
        let Some(batch) = batch else {
            return Ok(());
        };
        let (status, text) = batch
            .answer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        self.client.check(status, &text)?;
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let rejected = answer
            .get("num_rejected_docs")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if rejected > 0 {
            return Err(Error::Remote {
                url: self.target.url(),
                message: format!(
                    "Quickwit rejected {rejected} of the articles sent (its log says why): the \
                     cluster index may have been made by another newsdex version"
                ),
            });
        }
        self.summary.batches += 1;
        self.summary.bytes += batch.bytes;
        self.summary.sent += batch.ids.len() as u64;
        self.progress.sent(batch.ids.len() as u64);
        for (id, hash) in batch.ids {
            self.state.docs.insert(id, hash);
        }
        self.save()
    }

    fn save(&mut self) -> Result<()> {
        save_state(self.dir, &mut self.checkpoint, &self.key, &self.state)
    }

    /// Counts the articles of this push (push order `first_seq` onwards) the cluster answers for,
    /// until there are as many as were sent or [`SEARCHABLE_WAIT`] has passed; fewer is an error
    /// that says what to do, never a silent partial copy.
    fn check_searchable(&mut self, first_seq: u64) -> Result<()> {
        let sent = self.summary.sent;
        let path = format!("/api/v1/{}/search", self.target.index_id);
        let body = json!({
            "query": format!("{SEQ_FIELD}:[{first_seq} TO {}]", self.state.next_seq.saturating_sub(1)),
            "max_hits": 0,
        });
        let client = self.client;
        let found = wait_for_count(sent, SEARCHABLE_WAIT, Duration::from_millis(500), || {
            let answer = client.json("POST", &path, Some(&body))?;
            Ok(answer.get("num_hits").and_then(Value::as_u64).unwrap_or(0))
        })?;
        self.summary.searchable = found;
        if found < sent {
            return Err(Error::Remote {
                url: self.target.url(),
                message: format!(
                    "the cluster took the {sent} articles sent, but after {} s answers for only \
                     {found} of them: Quickwit commits the rest on its own within the index's \
                     commit_timeout_secs (600 s); search or export after that (`newsdex --engine \
                     {} count '*'` shows how many it holds)",
                    SEARCHABLE_WAIT.as_secs(),
                    self.target.url()
                ),
            });
        }
        Ok(())
    }
}

/// Asks `count` until it answers at least `expected`, every `every`, for at most `budget`;
/// answers the last count.
fn wait_for_count(
    expected: u64,
    budget: Duration,
    every: Duration,
    mut count: impl FnMut() -> Result<u64>,
) -> Result<u64> {
    let started = Instant::now();
    loop {
        let n = count()?;
        if n >= expected || started.elapsed() >= budget {
            return Ok(n);
        }
        std::thread::sleep(every.min(budget.saturating_sub(started.elapsed())));
    }
}

fn save_state(
    dir: &Path,
    checkpoint: &mut Checkpoint,
    key: &str,
    state: &TargetCheckpoint,
) -> Result<()> {
    // Re-read nothing: this process is the only writer of its own target's entry.
    let entry = checkpoint.targets.entry(key.to_string()).or_default();
    entry.index_uid.clone_from(&state.index_uid);
    entry.next_seq = state.next_seq;
    entry.docs.clone_from(&state.docs);
    checkpoint.save(dir)
}

fn dry_run(
    dir: &Path,
    out: &Path,
    target: &Target,
    progress: &dyn PushProgress,
    summary: &mut PushSummary,
) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let yaml_path = out.join("index-config.yaml");
    std::fs::write(&yaml_path, doc_mapping_yaml(&target.index_id))
        .map_err(|e| Error::io(&yaml_path, e))?;
    let nd_path = out.join("articles.ndjson");
    let file = std::fs::File::create(&nd_path).map_err(|e| Error::io(&nd_path, e))?;
    let mut w = std::io::BufWriter::new(file);
    let total = open_index(dir).and_then(|(index, _)| {
        Ok(index
            .reader()
            .map_err(|e| Error::from(e).in_index(dir))?
            .searcher()
            .num_docs())
    })?;
    progress.start(total);
    let mut seq = 0u64;
    summary.articles = for_each_local_doc(dir, &mut |d| {
        let mut line = d.json;
        line.insert(SEQ_FIELD.into(), json!(seq));
        seq += 1;
        let bytes = serde_json::to_vec(&line)?;
        summary.bytes += bytes.len() as u64 + 1;
        w.write_all(&bytes)
            .and_then(|_| w.write_all(b"\n"))
            .map_err(|e| Error::io(&nd_path, e))?;
        progress.sent(1);
        Ok(())
    })?;
    w.flush().map_err(|e| Error::io(&nd_path, e))?;
    summary.sent = summary.articles;
    summary.dry_run = Some(out.display().to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_for_a_count_stops_as_soon_as_it_is_reached() {
        let mut answers = vec![10, 7, 3].into_iter();
        let mut asked = 0;
        let n = wait_for_count(10, Duration::from_secs(60), Duration::ZERO, || {
            asked += 1;
            Ok(answers.next_back().unwrap())
        })
        .unwrap();
        assert_eq!((n, asked), (10, 3));
    }

    #[test]
    fn waiting_for_a_count_gives_up_with_the_last_answer() {
        let mut asked = 0;
        let n = wait_for_count(
            10,
            Duration::from_millis(30),
            Duration::from_millis(5),
            || {
                asked += 1;
                Ok(9)
            },
        )
        .unwrap();
        assert_eq!(n, 9);
        assert!(asked >= 2, "asked {asked} times");
    }

    #[test]
    fn waiting_for_a_count_passes_errors_on() {
        let err = wait_for_count(1, Duration::from_secs(60), Duration::ZERO, || {
            Err(Error::Usage("down".into()))
        })
        .unwrap_err();
        assert!(err.to_string().contains("down"), "{err}");
    }
}
