//! Scenarios cut down to some minerals or without some sources, for
//! comparisons and sensitivity runs: every entity kept draws exactly as in
//! the whole scenario, since random streams are keyed by entity id.

use super::{Event, Scenario};

impl Scenario {
    /// The same scenario restricted to the minerals `keep` (indexes, in
    /// the order given): their sources, and the events that hit any of
    /// them (with `affects` limited to kept sources). Because random
    /// streams are keyed by entity id, each kept mineral's results are
    /// bit-identical to those of the full scenario.
    ///
    /// Its cost grows with the kept minerals' sources and the events that
    /// hit them, not with the whole scenario: `sensitivity` calls it once
    /// per source and event.
    pub fn only_minerals(&self, keep: &[usize]) -> Scenario {
        let mut source_map = std::collections::HashMap::new();
        let mut sources = Vec::new();
        let mut minerals = Vec::with_capacity(keep.len());
        for (new_m, &m) in keep.iter().enumerate() {
            let mut mineral = self.minerals[m].clone();
            mineral.sources.clear();
            for &i in &self.minerals[m].sources {
                source_map.insert(i, sources.len());
                mineral.sources.push(sources.len());
                let mut s = self.sources[i].clone();
                s.mineral = new_m;
                s.events.clear();
                s.restrictions.clear();
                sources.push(s);
            }
            minerals.push(mineral);
        }
        // The events that hit a kept source, in scenario order.
        let mut hit: Vec<usize> = source_map
            .keys()
            .flat_map(|&i| {
                let s = &self.sources[i];
                s.events.iter().chain(&s.restrictions).map(|&(e, _)| e)
            })
            .collect();
        hit.sort_unstable();
        hit.dedup();
        let mut events = Vec::with_capacity(hit.len());
        for e in hit.into_iter().map(|e| &self.events[e]) {
            let affects: Vec<(usize, f64)> = e
                .affects
                .iter()
                .filter_map(|&(i, x)| source_map.get(&i).map(|&j| (j, x)))
                .collect();
            if affects.is_empty() {
                continue;
            }
            for &(j, x) in &affects {
                sources[j].wire_event(e.kind, events.len(), x);
            }
            events.push(Event {
                id: e.id.clone(),
                process: e.process.clone(),
                affects,
                key: e.key,
                kind: e.kind,
            });
        }
        Scenario {
            name: self.name.clone(),
            description: self.description.clone(),
            start_year: self.start_year,
            years: self.years,
            steps_per_year: self.steps_per_year,
            trials: self.trials,
            seed: self.seed,
            minerals,
            sources,
            events,
            factors: self.factors.clone(),
            projects: self.projects.clone(),
        }
    }

    /// Index of the source with this id.
    pub fn source_index(&self, id: &str) -> Option<usize> {
        self.sources.iter().position(|s| s.id == id)
    }

    /// Index of the event with this id.
    pub fn event_index(&self, id: &str) -> Option<usize> {
        self.events.iter().position(|e| e.id == id)
    }

    /// The same scenario without the sources whose ids are in `drop`
    /// (events keep their other sources). Random streams are keyed by id,
    /// so every remaining entity draws exactly as before.
    pub fn without_sources(&self, drop: &[&str]) -> Scenario {
        let mut map = vec![None; self.sources.len()];
        let mut sources = Vec::new();
        for (i, s) in self.sources.iter().enumerate() {
            if !drop.contains(&s.id.as_str()) {
                map[i] = Some(sources.len());
                let mut s = s.clone();
                s.events.clear();
                s.restrictions.clear();
                sources.push(s);
            }
        }
        let mut minerals = self.minerals.clone();
        for m in &mut minerals {
            m.sources = m.sources.iter().filter_map(|&i| map[i]).collect();
        }
        let mut events = self.events.clone();
        for (e, ev) in events.iter_mut().enumerate() {
            ev.affects = ev
                .affects
                .iter()
                .filter_map(|&(i, x)| map[i].map(|j| (j, x)))
                .collect();
            for &(j, x) in &ev.affects {
                sources[j].wire_event(ev.kind, e, x);
            }
        }
        Scenario {
            minerals,
            sources,
            events,
            ..self.clone()
        }
    }
}
