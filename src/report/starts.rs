//! Findings on the disruptions in force when the horizon starts: they
//! weigh on a mineral's first months whatever else happens, and a reader
//! of a high chance of a shortfall or price-spike year should know that
//! part of it is already under way.

use crate::scenario::Scenario;

/// Per mineral with a disruption in progress at the start (a source's
/// own, or an event's that touches one of its sources), one sentence
/// naming each with how long it lasts, in scenario order.
pub fn start_findings(s: &Scenario) -> Vec<String> {
    by_mineral(s).into_iter().map(|(_, f)| f).collect()
}

/// `findings` (a run's, each starting with its mineral's id) with each
/// of [`start_findings`] after the last finding of its mineral.
pub fn insert_start_findings(findings: &mut Vec<String>, s: &Scenario) {
    for (id, f) in by_mineral(s) {
        let of_mineral = |g: &String| {
            g.strip_prefix(id)
                .is_some_and(|rest| rest.starts_with([':', ' ']))
        };
        let at = findings
            .iter()
            .rposition(of_mineral)
            .map_or(findings.len(), |i| i + 1);
        findings.insert(at, f);
    }
}

/// Whether a spell of `months` from the start, of severity `severity`,
/// can hold back any output of source `src`: not if it never loses
/// anything, nor if the source is a project not planned to produce
/// before the spell ends.
fn can_act(s: &Scenario, src: usize, severity: &crate::dist::Dist, months: f64) -> bool {
    let spell_end = s.start_year as f64 + months / 12.0;
    let producing = s.sources[src]
        .project
        .is_none_or(|p| s.projects[p].online_year < spell_end);
    months > 0.0 && severity.spec().support().1 > 0.0 && producing
}

/// [`start_findings`] with each one's mineral id.
fn by_mineral(s: &Scenario) -> Vec<(&str, String)> {
    let horizon_months = 12.0 * s.years as f64;
    s.minerals
        .iter()
        .enumerate()
        .filter_map(|(mi, mineral)| {
            let own = s.sources.iter().enumerate().filter(|(_, src)| src.mineral == mi);
            let own = own.filter_map(|(i, src)| {
                let spell = src.disruption.as_ref()?.initial.as_ref()?;
                can_act(s, i, &spell.severity, spell.months).then_some((src.id.as_str(), spell.months))
            });
            let events = s.events.iter().filter_map(|e| {
                let spell = e.process.initial.as_ref()?;
                let acts = e.affects.iter().any(|&(i, exposure)| {
                    exposure > 0.0
                        && s.sources[i].mineral == mi
                        && can_act(s, i, &spell.severity, spell.months)
                });
                acts.then_some((e.id.as_str(), spell.months))
            });
            let spells: Vec<(&str, f64)> = own.chain(events).collect();
            let longest = spells.iter().map(|&(_, m)| m).fold(0.0, f64::max);
            let list = spells
                .iter()
                .map(|(id, months)| format!("{id}, {} months", crate::error::num(*months)))
                .collect::<Vec<_>>()
                .join("; ");
            let span = if longest >= horizon_months {
                "the whole horizon".to_string()
            } else {
                format!("the first {} months", crate::error::num(longest))
            };
            let id = mineral.id.as_str();
            let sentence = match spells.len() {
                0 => return None,
                1 => format!(
                    "{id}: a disruption is in force when the horizon starts ({list}): it weighs on {span} whatever else happens, and the sensitivity command gives what it adds (kind initial)."
                ),
                n => format!(
                    "{id}: {n} disruptions are in force when the horizon starts ({list}): they weigh on {span} whatever else happens, and the sensitivity command gives what each adds (kind initial)."
                ),
            };
            Some((id, sentence))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str) -> Scenario {
        let path = format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
        Scenario::load(std::path::Path::new(&path)).unwrap()
    }

    #[test]
    fn a_mineral_with_spells_at_the_start_names_each_and_the_others_say_nothing() {
        // Cobalt: an event's quota on its DRC source; lithium: a source's
        // own permit freeze; nickel: none.
        assert_eq!(
            start_findings(&load("example-dependence.toml")),
            vec![
                "cobalt: a disruption is in force when the horizon starts (drc-export-quota, 12 months): it weighs on the first 12 months whatever else happens, and the sensitivity command gives what it adds (kind initial).",
                "lithium: a disruption is in force when the horizon starts (lithium-argentina, 4 months): it weighs on the first 4 months whatever else happens, and the sensitivity command gives what it adds (kind initial).",
            ]
        );
        // An event at the start that touches a mineral only at exposure 0
        // says nothing of it; two spells are counted.
        let mut s = load("example-dependence.toml");
        let quota = s
            .events
            .iter()
            .position(|e| e.id == "drc-export-quota")
            .unwrap();
        s.events[quota].affects.iter_mut().for_each(|a| a.1 = 0.0);
        let argentina = s
            .sources
            .iter()
            .position(|x| x.id == "lithium-argentina")
            .unwrap();
        let chile = s
            .sources
            .iter()
            .position(|x| x.id == "lithium-chile")
            .unwrap();
        s.sources[chile].disruption = s.sources[argentina].disruption.clone();
        let found = start_findings(&s);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with(
            "lithium: 2 disruptions are in force when the horizon starts (lithium-chile, 4 months; lithium-argentina, 4 months)"
        ), "{found:?}");
        // A spell as long as the horizon weighs on all of it; one that
        // loses nothing, or falls on a project not yet producing, on none.
        let mut s = load("example-dependence.toml");
        s.years = 1;
        let found = start_findings(&s);
        assert!(
            found[0].contains("it weighs on the whole horizon"),
            "{found:?}"
        );
        let mut s = load("example-dependence.toml");
        let argentina = s
            .sources
            .iter()
            .position(|x| x.id == "lithium-argentina")
            .unwrap();
        if let Some(spell) = s.sources[argentina]
            .disruption
            .as_mut()
            .and_then(|d| d.initial.as_mut())
        {
            spell.severity = crate::dist::Dist::fixed(0.0);
        }
        let quota = s
            .events
            .iter()
            .position(|e| e.id == "drc-export-quota")
            .unwrap();
        let drc = s.events[quota].affects[0].0;
        s.sources[drc].project = Some(0);
        s.projects[0].online_year = s.start_year as f64 + 2.0;
        assert!(start_findings(&s).is_empty(), "{:?}", start_findings(&s));
        // Without any spell at the start: nothing.
        assert!(start_findings(&load("example.toml")).is_empty());
    }

    #[test]
    fn a_start_finding_follows_the_last_finding_of_its_mineral() {
        let s = load("example-dependence.toml");
        let mut findings = vec![
            "nickel: n".to_string(),
            "cobalt: c".to_string(),
            "cobalt stockpile: s".to_string(),
            "lithium: l".to_string(),
        ];
        insert_start_findings(&mut findings, &s);
        let starts: Vec<bool> = findings
            .iter()
            .map(|f| f.contains("horizon starts"))
            .collect();
        assert_eq!(starts, [false, false, false, true, false, true]);
        assert!(findings[3].starts_with("cobalt: a disruption"));
        assert!(findings[5].starts_with("lithium: a disruption"));
    }
}
