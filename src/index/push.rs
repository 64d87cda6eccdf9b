//! `newsdex push`: copies a local index to a Quickwit cluster, and afterwards only what changed.
//!
//! Every article the local index holds becomes one NDJSON line ([`DocBuilder`]); lines go in
//! batches under Quickwit's ingest size limit, the last with a forced commit. A checkpoint in the
//! index folder (`quickwit-push.json`, per cluster index) keeps each pushed article's id and the
//! hash of its line, so the next push sends only new and changed articles, and removes deleted
//! and replaced ones with delete tasks by `id` (Quickwit has no upsert and no custom ids). It is
//! saved after every accepted batch: an interrupted push resends nothing the cluster already has.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tantivy::TantivyDocument;
use tantivy::store::StoreReader;

use crate::error::{Error, Result};
use crate::index::open::StoredSettings;
use crate::index::open_index;
use crate::index::quickwit::{
    Client, DocBuilder, MAX_BATCH_BYTES, Resend, Target, doc_mapping_yaml,
};

/// Name of the checkpoint file in the local index folder (kept across `index --full`).
pub const CHECKPOINT_FILE: &str = "quickwit-push.json";

/// Ids per delete task (each is one `id:"..." OR ...` query).
const IDS_PER_DELETE_TASK: usize = 200;

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
    let started = std::time::Instant::now();
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

impl Pusher<'_> {
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

    /// Sends the new and changed articles in batches under the ingest size limit, the last
    /// with a forced commit.
    fn send_changed(&mut self, changed: &BTreeSet<String>) -> Result<()> {
        self.progress.start(changed.len() as u64);
        if changed.is_empty() {
            return Ok(());
        }
        let dir = self.dir;
        for_each_local_doc(dir, &mut |d| {
            if !changed.contains(&d.id) {
                return Ok(());
            }
            let mut line = d.json;
            line.insert(
                crate::index::quickwit::SEQ_FIELD.into(),
                json!(self.state.next_seq),
            );
            self.state.next_seq += 1;
            let bytes = serde_json::to_vec(&line)?;
            if !self.batch.is_empty() && self.batch.len() + bytes.len() + 1 > MAX_BATCH_BYTES {
                self.send(false)?;
            }
            self.batch.extend_from_slice(&bytes);
            self.batch.push(b'\n');
            self.batch_ids.push((d.id, d.hash));
            Ok(())
        })?;
        self.send(true)
    }

    /// Sends the batch (the `last` one with a forced commit) and saves the checkpoint once the
    /// cluster has taken it.
    fn send(&mut self, last: bool) -> Result<()> {
        if self.batch.is_empty() && !last {
            return Ok(());
        }
        let commit = if last { "force" } else { "auto" };
        let path = format!("/api/v1/{}/ingest?commit={commit}", self.target.index_id);
        // Refusals (503 while the cluster opens an ingest shard, 429) are retried; a dropped
        // connection is not, as the cluster may have taken the batch.
        let (status, text) = self.client.call_with(
            "POST",
            &path,
            Some(("application/x-ndjson", self.batch.as_slice())),
            Resend::OnlyIfRefused,
        )?;
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
        self.summary.bytes += self.batch.len() as u64;
        self.summary.sent += self.batch_ids.len() as u64;
        self.progress.sent(self.batch_ids.len() as u64);
        for (id, hash) in self.batch_ids.drain(..) {
            self.state.docs.insert(id, hash);
        }
        self.batch.clear();
        self.save()
    }

    fn save(&mut self) -> Result<()> {
        save_state(self.dir, &mut self.checkpoint, &self.key, &self.state)
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
        line.insert(crate::index::quickwit::SEQ_FIELD.into(), json!(seq));
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
