//! The provider's output store: job outputs on disk, by result root, bounded in size, least recently used
//! first out; and the result root of each job the worker computed, so that a restarted worker can reveal
//! without recomputing (it recomputes when an output or record is gone: outputs are deterministic).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::Error;
use compute_primitives::{JobId, ResultRoot};

#[derive(Clone, Copy, Debug)]
struct Entry {
    len: u64,
    last_used: u64,
    /// Not served yet: its job has not reached the reveal phase.
    withheld: bool,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<[u8; 32], Entry>,
    total: u64,
    clock: u64,
}

/// A stored output: its file and length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredOutput {
    /// The file.
    pub path: PathBuf,
    /// Its length in bytes.
    pub len: u64,
}

/// Outputs by result root, at most `max_bytes` in total.
#[derive(Debug)]
pub struct OutputStore {
    outputs: PathBuf,
    jobs: PathBuf,
    max_bytes: u64,
    state: Mutex<State>,
}

impl OutputStore {
    /// Opens (or creates) the store in `dir`, indexing the outputs already there, oldest modified first.
    pub fn open(dir: &Path, max_bytes: u64) -> Result<Self, Error> {
        let outputs = dir.join("outputs");
        let jobs = dir.join("jobs");
        for d in [&outputs, &jobs] {
            std::fs::create_dir_all(d).map_err(|source| Error::Store { path: d.clone(), source })?;
        }
        let io = |source| Error::Store { path: outputs.clone(), source };
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&outputs).map_err(io)? {
            let entry = entry.map_err(io)?;
            let name = entry.file_name();
            let Some(root) = name.to_str().and_then(parse_root) else {
                // Partial writes (`.tmp`) and foreign files are not outputs.
                let _ = std::fs::remove_file(entry.path());
                continue;
            };
            let meta = entry.metadata().map_err(io)?;
            found.push((meta.modified().ok(), root, meta.len()));
        }
        found.sort_by_key(|(modified, _, _)| *modified);
        let mut state = State::default();
        let store = OutputStore { outputs, jobs, max_bytes, state: Mutex::new(State::default()) };
        // The outputs of jobs still recorded (not known to have ended) stay withheld until they are published.
        let in_progress: Vec<[u8; 32]> = store
            .recorded_jobs()
            .into_iter()
            .filter_map(|job| store.recorded_root(job))
            .map(|r| r.0)
            .collect();
        for (_, root, len) in found {
            state.clock += 1;
            state.total += len;
            let withheld = in_progress.contains(&root);
            state.entries.insert(root, Entry { len, last_used: state.clock, withheld });
        }
        *store.lock() = state;
        {
            let mut state = store.lock();
            store.evict(&mut state, None);
        }
        Ok(store)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves a consistent index (every update is a single step).
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn path_of(&self, root: &[u8; 32]) -> PathBuf {
        self.outputs.join(hex::encode(root))
    }

    /// Stores `output` under `root` (its blake3 hash), withheld from [`OutputStore::get_public`] until
    /// [`OutputStore::publish`] (unless it already was public), evicting the least recently used outputs.
    pub fn put(&self, root: &ResultRoot, output: &[u8]) -> Result<StoredOutput, Error> {
        let len = output.len() as u64;
        if len > self.max_bytes {
            return Err(Error::LargerThanStore { len, max: self.max_bytes });
        }
        let path = self.path_of(&root.0);
        if !self.lock().entries.contains_key(&root.0) {
            let tmp = path.with_extension("tmp");
            let io = |source| Error::Store { path: tmp.clone(), source };
            let mut file = std::fs::File::create(&tmp).map_err(io)?;
            file.write_all(output).map_err(io)?;
            file.sync_all().map_err(io)?;
            std::fs::rename(&tmp, &path).map_err(io)?;
        }
        let mut state = self.lock();
        state.clock += 1;
        let clock = state.clock;
        let withheld = state.entries.get(&root.0).is_none_or(|old| old.withheld);
        if let Some(old) = state.entries.insert(root.0, Entry { len, last_used: clock, withheld }) {
            state.total -= old.len;
        }
        state.total += len;
        self.evict(&mut state, Some(root.0));
        Ok(StoredOutput { path, len })
    }

    fn evict(&self, state: &mut State, keep: Option<[u8; 32]>) {
        while state.total > self.max_bytes {
            let Some((&victim, _)) = state
                .entries
                .iter()
                .filter(|(root, _)| Some(**root) != keep)
                .min_by_key(|(_, entry)| entry.last_used)
            else {
                break;
            };
            if let Some(entry) = state.entries.remove(&victim) {
                state.total -= entry.len;
                let path = self.path_of(&victim);
                if let Err(e) = std::fs::remove_file(&path) {
                    log::warn!("cannot evict {}: {e}", path.display());
                }
            }
        }
    }

    /// The stored output of `root`, marked as just used.
    pub fn get(&self, root: &ResultRoot) -> Option<StoredOutput> {
        let mut state = self.lock();
        state.clock += 1;
        let clock = state.clock;
        let entry = state.entries.get_mut(&root.0)?;
        entry.last_used = clock;
        Some(StoredOutput { path: self.path_of(&root.0), len: entry.len })
    }

    /// The stored output of `root` if it may be served: its job reached the reveal phase. Before, serving it
    /// would hand a replica that has not committed yet the output it is meant to compute.
    pub fn get_public(&self, root: &ResultRoot) -> Option<StoredOutput> {
        let stored = self.get(root)?;
        let withheld = self.lock().entries.get(&root.0).is_some_and(|entry| entry.withheld);
        (!withheld).then_some(stored)
    }

    /// Lets `root`'s output be served.
    pub fn publish(&self, root: &ResultRoot) {
        if let Some(entry) = self.lock().entries.get_mut(&root.0) {
            entry.withheld = false;
        }
    }

    /// Bytes stored.
    pub fn total_bytes(&self) -> u64 {
        self.lock().total
    }

    /// Records that the worker computed `root` for job `job_id` with the spec whose hash is `spec_hash`.
    pub fn record_job(&self, job_id: JobId, spec_hash: &[u8; 32], root: &ResultRoot) -> Result<(), Error> {
        let path = self.jobs.join(job_id.to_string());
        let record = format!("{} {}", hex::encode(spec_hash), hex::encode(root.0));
        std::fs::write(&path, record).map_err(|source| Error::Store { path, source })
    }

    /// The root the worker computed for `job_id`, if it was recorded for the same spec. Job ids are
    /// assigned in block order, so after a reorg one id can name another job: its record must not answer.
    pub fn job_root(&self, job_id: JobId, spec_hash: &[u8; 32]) -> Option<ResultRoot> {
        let text = std::fs::read_to_string(self.jobs.join(job_id.to_string())).ok()?;
        let (recorded_spec, root) = text.trim().split_once(' ')?;
        (parse_root(recorded_spec)? == *spec_hash).then_some(())?;
        parse_root(root).map(ResultRoot)
    }

    /// The root recorded for `job_id`, whatever spec it was recorded for.
    fn recorded_root(&self, job_id: JobId) -> Option<ResultRoot> {
        let text = std::fs::read_to_string(self.jobs.join(job_id.to_string())).ok()?;
        parse_root(text.trim().rsplit(' ').next()?).map(ResultRoot)
    }

    /// Forgets the record of a job that ended; its output, if any, may be served from now on.
    pub fn forget_job(&self, job_id: JobId) {
        if let Some(root) = self.recorded_root(job_id) {
            self.publish(&root);
        }
        let _ = std::fs::remove_file(self.jobs.join(job_id.to_string()));
    }

    /// The jobs with a record.
    pub fn recorded_jobs(&self) -> Vec<JobId> {
        std::fs::read_dir(&self.jobs)
            .map(|dir| dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect::<Vec<JobId>>())
            .unwrap_or_default()
    }
}

/// A result root from 64 hex digits.
pub fn parse_root(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    hex::decode(s).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(bytes: &[u8]) -> ResultRoot {
        compute_primitives::result_root(bytes)
    }

    #[test]
    fn evicts_least_recently_used_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let store = OutputStore::open(dir.path(), 250).unwrap();
        let (a, b, c) = (vec![1u8; 100], vec![2u8; 100], vec![3u8; 100]);
        store.put(&root(&a), &a).unwrap();
        store.put(&root(&b), &b).unwrap();
        assert!(store.get(&root(&a)).is_some()); // a is now more recent than b
        store.put(&root(&c), &c).unwrap();
        assert!(store.get(&root(&b)).is_none(), "b was the least recently used");
        assert_eq!(std::fs::read(store.get(&root(&a)).unwrap().path).unwrap(), a);
        assert_eq!(store.total_bytes(), 200);
        assert!(matches!(store.put(&root(&[0; 300]), &[0; 300]), Err(Error::LargerThanStore { .. })));

        let spec = [5u8; 32];
        store.record_job(9, &spec, &root(&c)).unwrap();
        assert!(store.get_public(&root(&c)).is_none(), "withheld until its job reveals");
        store.publish(&root(&a));
        assert!(store.get_public(&root(&a)).is_some());
        drop(store);
        let reopened = OutputStore::open(dir.path(), 150).unwrap();
        assert!(reopened.get_public(&root(&c)).is_none(), "a job in progress keeps its output withheld");
        assert_eq!(reopened.total_bytes(), 100, "reopening with a smaller bound evicts");
        assert_eq!(reopened.job_root(9, &spec), Some(root(&c)));
        assert_eq!(
            reopened.job_root(9, &[6; 32]),
            None,
            "the same id with another spec (a reorg) is another job"
        );
        assert_eq!(reopened.recorded_jobs(), vec![9]);
        reopened.forget_job(9);
        assert_eq!(reopened.job_root(9, &spec), None);
        assert!(reopened.get_public(&root(&c)).is_some(), "a job that ended has its output served");
    }
}
