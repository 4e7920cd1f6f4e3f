//! Dedup across sources (SPEC §4). One machine can reach a company's inventory from several
//! sources (NinjaOne, Level, Intune, Entra); counting it twice would skew every compliance
//! figure. This module decides, without I/O, which copies are the same machine and which copy
//! wins (`ninjaone > level > intune > entra`), so the orchestrator only has to retire the losers.
//!
//! Rules, in order of trust:
//! - Equal normalized serial numbers are the same machine. Placeholder serials that vendors ship
//!   unfilled ("To Be Filled By O.E.M.", "Default string", …) identify nothing and are ignored.
//! - When either side has no usable serial, the same hostname plus at least one shared MAC
//!   address is the same machine. Two different usable serials are never the same machine,
//!   however much else matches.
//! - Copies from the same source are distinct machines: a source's own ids never collide, so
//!   they never retire each other.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

use crate::assets::AssetSource;
use crate::ids::AssetId;

/// Dedup precedence of a source: the higher number wins (SPEC §4:
/// `ninjaone > level > intune > entra`).
pub fn precedence(source: AssetSource) -> u8 {
    match source {
        AssetSource::Ninjaone => 4,
        AssetSource::Level => 3,
        AssetSource::Intune => 2,
        AssetSource::Entra => 1,
    }
}

/// Serials that firmware, hypervisors and inventory tools report when no real serial was set,
/// in normalized form (see [`serial_key`]). Matching on them would merge unrelated machines.
const PLACEHOLDER_SERIALS: &[&str] = &[
    "TOBEFILLEDBYOEM",
    "TOBEFILLED",
    "DEFAULTSTRING",
    "DEFAULT",
    "SYSTEMSERIALNUMBER",
    "CHASSISSERIALNUMBER",
    "BASEBOARDSERIALNUMBER",
    "SERIALNUMBER",
    "SERIAL",
    "NONE",
    "NULL",
    "NIL",
    "NA",
    "NOTAPPLICABLE",
    "NOTSPECIFIED",
    "NOTAVAILABLE",
    "NOTSET",
    "UNKNOWN",
    "INVALID",
    "EMPTY",
    "NOSERIAL",
    "OEM",
    "TBD",
    "123456789",
    "0123456789",
    "1234567890",
    "12345678",
    "01234567",
];

/// The serial number as dedup compares it: trimmed, upper-cased, only letters and digits, so
/// `"ab-12 34.x"` and `"AB1234X"` match. `None` when nothing identifying is left: empty,
/// a known placeholder, or one character repeated (`"0"`, `"0000000"`, `"XXXX"`).
pub fn serial_key(serial: &str) -> Option<String> {
    let key: String = serial
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    let first = key.chars().next()?;
    if key.chars().all(|c| c == first) || PLACEHOLDER_SERIALS.contains(&key.as_str()) {
        return None;
    }
    Some(key)
}

/// The MAC address as dedup compares it: 12 lowercase hex digits. Accepts `AA:BB:CC:DD:EE:FF`,
/// `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff`, `aabbccddeeff`, and colon/dash groups without their
/// leading zero (`0:1c:42:a:b:c`, as macOS prints them). `None` for anything else and for the
/// all-zero and broadcast addresses, which many machines share.
pub fn mac_key(mac: &str) -> Option<String> {
    let mac = mac.trim();
    let groups: Vec<&str> = if mac.contains(':') {
        mac.split(':').collect()
    } else if mac.contains('-') {
        mac.split('-').collect()
    } else if mac.contains('.') {
        mac.split('.').collect()
    } else {
        vec![mac]
    };
    let widths_ok = match groups.len() {
        1 => groups[0].len() == 12,
        3 => mac.contains('.') && groups.iter().all(|g| g.len() == 4),
        6 => !mac.contains('.') && groups.iter().all(|g| (1..=2).contains(&g.len())),
        _ => false,
    };
    if !widths_ok
        || !groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return None;
    }
    let key: String = if groups.len() == 6 {
        groups.iter().map(|g| format!("{g:0>2}")).collect()
    } else {
        groups.concat()
    }
    .to_ascii_lowercase();
    if key == "000000000000" || key == "ffffffffffff" {
        return None;
    }
    Some(key)
}

/// Every usable MAC address in a list as sources send it (`"aa:bb:…, 11:22:…"`; commas,
/// semicolons or whitespace between addresses), normalized by [`mac_key`], without repeats.
pub fn mac_keys(list: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for key in list
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter_map(mac_key)
    {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// The hostname as dedup compares it: trimmed, lower-cased, the first DNS label only, so
/// `"PC-042.corp.example.com"` and `"pc-042"` match. A NetBIOS `DOMAIN\NAME` keeps the name.
/// `None` when empty, for an IP address, and for `localhost`, none of which name a machine.
pub fn hostname_key(name: &str) -> Option<String> {
    let name = name.trim();
    if name.parse::<IpAddr>().is_ok() {
        return None;
    }
    let name = name.rsplit('\\').next().unwrap_or(name);
    let label = name.split('.').next().unwrap_or(name).trim().to_lowercase();
    if label.is_empty() || label == "localhost" {
        return None;
    }
    Some(label)
}

/// One active (non-retired) asset of a company, reduced to what dedup compares. Keys come from
/// [`serial_key`], [`hostname_key`] and [`mac_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupCandidate {
    pub id: AssetId,
    pub source: AssetSource,
    pub serial_key: Option<String>,
    pub hostname_key: Option<String>,
    pub mac_keys: Vec<String>,
}

/// Why two assets were judged the same machine; stored with the retirement and shown to the
/// technician.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchReason {
    Serial,
    HostnameAndMac,
}

impl fmt::Display for MatchReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatchReason::Serial => "same serial number",
            MatchReason::HostnameAndMac => "same hostname and MAC address",
        })
    }
}

/// `loser` is the same machine as `winner`, which comes from a source of higher precedence:
/// retire `loser`, pointing at `winner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retirement {
    pub loser: AssetId,
    pub winner: AssetId,
    pub reason: MatchReason,
}

/// The retirements that dedup one company's active assets, sorted by loser id.
///
/// Matches are grouped transitively: every asset of a group is the same machine. The group's
/// winner is its asset of highest precedence (lowest id on a tie); every asset of a source of
/// lower precedence than the winner's is retired in its favour, and assets of the winner's own
/// source stay. A group never holds two different serials: an asset without a serial whose
/// hostname and MACs match machines of two different serials is ambiguous, and is matched
/// with neither of them.
///
/// Runs in time linear in the number of candidates and MAC keys (hash indexes, no pairwise
/// comparison), so a company of 100,000 assets dedups in well under a second.
pub fn duplicates(candidates: &[DedupCandidate]) -> Vec<Retirement> {
    let mut sets = DisjointSets::new(candidates.len());

    // Same serial: one group per serial key.
    let mut serial_owner: HashMap<&str, usize> = HashMap::new();
    for (i, candidate) in candidates.iter().enumerate() {
        if let Some(serial) = candidate.serial_key.as_deref() {
            let owner = *serial_owner.entry(serial).or_insert(i);
            sets.union(owner, i);
        }
    }

    // Assets without a serial that share hostname and a MAC: grouped with each other. These
    // groups are disjoint from the serial groups above, which only hold assets with a serial.
    let mut serialless_owner: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, candidate) in candidates.iter().enumerate() {
        if candidate.serial_key.is_some() {
            continue;
        }
        let Some(host) = candidate.hostname_key.as_deref() else {
            continue;
        };
        for mac in &candidate.mac_keys {
            let owner = *serialless_owner.entry((host, mac.as_str())).or_insert(i);
            sets.union(owner, i);
        }
    }

    // Which serials each serial-less group also matches by hostname and MAC. No union happens
    // in this pass, so the roots read here stay valid until the attachments are applied.
    let mut attached: HashMap<usize, Attachment<'_>> = HashMap::new();
    for candidate in candidates {
        let (Some(serial), Some(host)) = (
            candidate.serial_key.as_deref(),
            candidate.hostname_key.as_deref(),
        ) else {
            continue;
        };
        for mac in &candidate.mac_keys {
            if let Some(&owner) = serialless_owner.get(&(host, mac.as_str())) {
                let root = sets.find(owner);
                attached
                    .entry(root)
                    .and_modify(|a| {
                        if *a != Attachment::One(serial) {
                            *a = Attachment::Ambiguous;
                        }
                    })
                    .or_insert(Attachment::One(serial));
            }
        }
    }
    for (root, attachment) in attached {
        if let Attachment::One(serial) = attachment {
            sets.union(root, serial_owner[serial]);
        }
    }

    let outranks = |a: &DedupCandidate, b: &DedupCandidate| {
        (precedence(a.source), std::cmp::Reverse(a.id))
            > (precedence(b.source), std::cmp::Reverse(b.id))
    };
    let mut winners: HashMap<usize, usize> = HashMap::new();
    for (i, candidate) in candidates.iter().enumerate() {
        let root = sets.find(i);
        let winner = winners.entry(root).or_insert(i);
        if outranks(candidate, &candidates[*winner]) {
            *winner = i;
        }
    }

    let mut retirements: Vec<Retirement> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, loser)| {
            let winner = &candidates[winners[&sets.find(i)]];
            if precedence(loser.source) >= precedence(winner.source) {
                return None;
            }
            let reason = match (&loser.serial_key, &winner.serial_key) {
                (Some(a), Some(b)) if a == b => MatchReason::Serial,
                _ => MatchReason::HostnameAndMac,
            };
            Some(Retirement {
                loser: loser.id,
                winner: winner.id,
                reason,
            })
        })
        .collect();
    retirements.sort_by_key(|r| (r.loser, r.winner));
    retirements
}

/// The serials a group of serial-less assets matches by hostname and MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attachment<'a> {
    One(&'a str),
    Ambiguous,
}

/// Union-find over candidate indexes, with path halving and union by size, so grouping stays
/// near-linear however the matches chain.
struct DisjointSets {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl DisjointSets {
    fn new(len: usize) -> DisjointSets {
        DisjointSets {
            parent: (0..len).collect(),
            size: vec![1; len],
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssetSource::{Entra, Intune, Level, Ninjaone};

    fn asset(id: i64, source: AssetSource) -> DedupCandidate {
        DedupCandidate {
            id: AssetId(id),
            source,
            serial_key: None,
            hostname_key: None,
            mac_keys: Vec::new(),
        }
    }

    fn with_serial(id: i64, source: AssetSource, serial: &str) -> DedupCandidate {
        DedupCandidate {
            serial_key: serial_key(serial),
            ..asset(id, source)
        }
    }

    fn with_host(id: i64, source: AssetSource, host: &str, macs: &str) -> DedupCandidate {
        DedupCandidate {
            hostname_key: hostname_key(host),
            mac_keys: mac_keys(macs),
            ..asset(id, source)
        }
    }

    fn retired(loser: i64, winner: i64, reason: MatchReason) -> Retirement {
        Retirement {
            loser: AssetId(loser),
            winner: AssetId(winner),
            reason,
        }
    }

    #[test]
    fn precedence_is_ninjaone_then_level_then_intune_then_entra() {
        assert!(precedence(Ninjaone) > precedence(Level));
        assert!(precedence(Level) > precedence(Intune));
        assert!(precedence(Intune) > precedence(Entra));
    }

    #[test]
    fn serial_key_ignores_case_spacing_and_punctuation() {
        assert_eq!(serial_key("  ab-12 34.x_y ").as_deref(), Some("AB1234XY"));
        assert_eq!(serial_key("AB1234XY"), serial_key("ab 1234-x.y"));
        assert_eq!(
            serial_key("VMware-56 4d 8a 1b").as_deref(),
            Some("VMWARE564D8A1B")
        );
    }

    #[test]
    fn serial_key_rejects_placeholders_in_any_spelling() {
        for placeholder in [
            "To Be Filled By O.E.M.",
            "to be filled by o.e.m",
            "Default string",
            "DEFAULT_STRING",
            "System Serial Number",
            "Chassis Serial Number",
            "0",
            "",
            "   ",
            "-",
            "None",
            "N/A",
            "n.a.",
            "Not Specified",
            "Not Available",
            "123456789",
            "0123456789",
            "INVALID",
            "0000-0000-0000",
            "XXXXXXXX",
            "Unknown",
        ] {
            assert_eq!(serial_key(placeholder), None, "{placeholder:?}");
        }
    }

    #[test]
    fn serial_key_keeps_short_but_real_serials() {
        assert_eq!(serial_key("A1").as_deref(), Some("A1"));
        assert_eq!(serial_key("10").as_deref(), Some("10"));
    }

    #[test]
    fn mac_key_accepts_the_common_notations() {
        let want = Some("001c42abcdef".to_string());
        assert_eq!(mac_key("00:1C:42:AB:CD:EF"), want);
        assert_eq!(mac_key("00-1c-42-ab-cd-ef"), want);
        assert_eq!(mac_key("001c.42ab.cdef"), want);
        assert_eq!(mac_key(" 001C42ABCDEF "), want);
        assert_eq!(mac_key("0:1c:42:ab:cd:ef"), want);
    }

    #[test]
    fn mac_key_rejects_invalid_zero_and_broadcast_addresses() {
        for bad in [
            "",
            "00:1c:42:ab:cd",
            "00:1c:42:ab:cd:ef:01",
            "00:1c:42:ab:cd:eg",
            "001c42abcde",
            "001c-42ab-cdef",
            "00:1c:42-ab:cd:ef",
            "001:c4:2a:bc:de:f",
            "00:00:00:00:00:00",
            "FF:FF:FF:FF:FF:FF",
            "ffff.ffff.ffff",
        ] {
            assert_eq!(mac_key(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn mac_keys_splits_lists_and_drops_repeats_and_invalid_entries() {
        assert_eq!(
            mac_keys(
                "00:1c:42:ab:cd:ef, 00-1C-42-AB-CD-EF;aa:bb:cc:dd:ee:01 junk 00:00:00:00:00:00"
            ),
            vec!["001c42abcdef".to_string(), "aabbccddee01".to_string()]
        );
        assert!(mac_keys("").is_empty());
    }

    #[test]
    fn hostname_key_keeps_the_first_label_lowercased() {
        assert_eq!(
            hostname_key(" PC-042.corp.example.com ").as_deref(),
            Some("pc-042")
        );
        assert_eq!(hostname_key("pc-042.").as_deref(), Some("pc-042"));
        assert_eq!(hostname_key("CORP\\PC-042").as_deref(), Some("pc-042"));
    }

    #[test]
    fn hostname_key_is_none_for_empty_ip_and_localhost() {
        for bad in [
            "",
            "  ",
            ".corp.example.com",
            "192.168.1.10",
            "fe80::1",
            "LOCALHOST",
        ] {
            assert_eq!(hostname_key(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn match_reasons_read_as_the_technician_sees_them() {
        assert_eq!(MatchReason::Serial.to_string(), "same serial number");
        assert_eq!(
            MatchReason::HostnameAndMac.to_string(),
            "same hostname and MAC address"
        );
    }

    #[test]
    fn same_serial_across_sources_retires_the_lower_source() {
        let got = duplicates(&[
            with_serial(1, Intune, "ABC-123"),
            with_serial(2, Ninjaone, "abc 123"),
        ]);
        assert_eq!(got, vec![retired(1, 2, MatchReason::Serial)]);
    }

    #[test]
    fn placeholder_serials_never_match() {
        let got = duplicates(&[
            with_serial(1, Ninjaone, "To Be Filled By O.E.M."),
            with_serial(2, Level, "To Be Filled By O.E.M."),
            with_serial(3, Intune, "Default string"),
            with_serial(4, Entra, "Default string"),
            with_serial(5, Intune, "0"),
            with_serial(6, Entra, "0"),
        ]);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn hostname_and_mac_match_when_one_side_has_no_serial() {
        let mut ninja = with_host(1, Ninjaone, "PC-1.corp.local", "00:1c:42:ab:cd:ef");
        ninja.serial_key = serial_key("SN-1");
        let entra = with_host(2, Entra, "pc-1", "aa:bb:cc:dd:ee:01, 00-1C-42-AB-CD-EF");
        assert_eq!(
            duplicates(&[ninja, entra]),
            vec![retired(2, 1, MatchReason::HostnameAndMac)]
        );
    }

    #[test]
    fn hostname_and_mac_match_when_neither_side_has_a_serial() {
        let got = duplicates(&[
            with_host(1, Intune, "pc-1", "00:1c:42:ab:cd:ef"),
            with_host(2, Entra, "PC-1", "00:1c:42:ab:cd:ef"),
        ]);
        assert_eq!(got, vec![retired(2, 1, MatchReason::HostnameAndMac)]);
    }

    #[test]
    fn hostname_and_mac_do_not_match_when_both_sides_have_different_serials() {
        let mut a = with_host(1, Ninjaone, "pc-1", "00:1c:42:ab:cd:ef");
        a.serial_key = serial_key("SN-1");
        let mut b = with_host(2, Level, "pc-1", "00:1c:42:ab:cd:ef");
        b.serial_key = serial_key("SN-2");
        assert!(duplicates(&[a, b]).is_empty());
    }

    #[test]
    fn placeholder_serial_counts_as_missing_for_the_fallback() {
        let mut a = with_host(1, Ninjaone, "pc-1", "00:1c:42:ab:cd:ef");
        a.serial_key = serial_key("SN-1");
        let mut b = with_host(2, Level, "pc-1", "00:1c:42:ab:cd:ef");
        b.serial_key = serial_key("System Serial Number");
        assert_eq!(
            duplicates(&[a, b]),
            vec![retired(2, 1, MatchReason::HostnameAndMac)]
        );
    }

    #[test]
    fn hostname_without_a_shared_mac_is_no_match() {
        let got = duplicates(&[
            with_host(1, Ninjaone, "pc-1", "00:1c:42:ab:cd:ef"),
            with_host(2, Entra, "pc-1", "00:1c:42:ab:cd:00"),
            with_host(3, Intune, "pc-1", ""),
        ]);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn shared_mac_without_the_same_hostname_is_no_match() {
        let got = duplicates(&[
            with_host(1, Ninjaone, "pc-1", "00:1c:42:ab:cd:ef"),
            with_host(2, Entra, "pc-2", "00:1c:42:ab:cd:ef"),
        ]);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn assets_of_the_same_source_never_retire_each_other() {
        let got = duplicates(&[
            with_serial(1, Level, "SN-1"),
            with_serial(2, Level, "SN-1"),
            with_host(3, Entra, "pc-1", "00:1c:42:ab:cd:ef"),
            with_host(4, Entra, "pc-1", "00:1c:42:ab:cd:ef"),
        ]);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn the_higher_source_wins_for_every_pair_of_sources() {
        let sources = [Ninjaone, Level, Intune, Entra];
        for (i, &high) in sources.iter().enumerate() {
            for &low in &sources[i + 1..] {
                // The loser gets the lower id, so id order cannot be what decides.
                let got = duplicates(&[with_serial(1, low, "SN-1"), with_serial(2, high, "SN-1")]);
                assert_eq!(
                    got,
                    vec![retired(1, 2, MatchReason::Serial)],
                    "{high:?} over {low:?}"
                );
            }
        }
    }

    #[test]
    fn a_three_way_group_retires_both_lower_copies_in_favour_of_the_best() {
        let mut level = with_host(5, Level, "pc-1", "00:1c:42:ab:cd:ef");
        level.serial_key = serial_key("SN-1");
        let got = duplicates(&[
            with_serial(9, Ninjaone, "sn1"),
            level,
            with_host(2, Entra, "PC-1.corp", "00:1c:42:ab:cd:ef"),
        ]);
        assert_eq!(
            got,
            vec![
                retired(2, 9, MatchReason::HostnameAndMac),
                retired(5, 9, MatchReason::Serial),
            ]
        );
    }

    #[test]
    fn copies_from_the_winners_own_source_stay_and_ties_go_to_the_lowest_id() {
        let got = duplicates(&[
            with_serial(7, Level, "SN-1"),
            with_serial(3, Level, "SN-1"),
            with_serial(5, Intune, "SN-1"),
        ]);
        assert_eq!(got, vec![retired(5, 3, MatchReason::Serial)]);
    }

    #[test]
    fn a_serialless_asset_matching_two_different_serials_is_matched_with_neither() {
        let mut a = with_host(1, Ninjaone, "pc-1", "00:1c:42:ab:cd:ef");
        a.serial_key = serial_key("SN-1");
        let mut b = with_host(2, Level, "pc-1", "00:1c:42:ab:cd:ef");
        b.serial_key = serial_key("SN-2");
        let c = with_host(3, Entra, "pc-1", "00:1c:42:ab:cd:ef");
        assert!(duplicates(&[a, b, c]).is_empty());
    }

    #[test]
    fn serialless_assets_chain_through_different_macs_of_one_hostname() {
        let mut ninja = with_host(1, Ninjaone, "pc-1", "00:00:00:00:00:01");
        ninja.serial_key = serial_key("SN-1");
        let got = duplicates(&[
            ninja,
            with_host(2, Intune, "pc-1", "00:00:00:00:00:01, 00:00:00:00:00:02"),
            with_host(3, Entra, "pc-1", "00:00:00:00:00:02"),
        ]);
        assert_eq!(
            got,
            vec![
                retired(2, 1, MatchReason::HostnameAndMac),
                retired(3, 1, MatchReason::HostnameAndMac),
            ]
        );
    }

    #[test]
    fn output_is_sorted_by_loser_and_independent_of_input_order() {
        let mut input = vec![
            with_serial(40, Entra, "SN-4"),
            with_serial(10, Ninjaone, "SN-4"),
            with_serial(30, Intune, "SN-3"),
            with_serial(20, Level, "SN-3"),
            with_host(5, Entra, "pc-9", "00:1c:42:ab:cd:ef"),
            with_host(50, Intune, "pc-9", "00:1c:42:ab:cd:ef"),
        ];
        let expected = vec![
            retired(5, 50, MatchReason::HostnameAndMac),
            retired(30, 20, MatchReason::Serial),
            retired(40, 10, MatchReason::Serial),
        ];
        assert_eq!(duplicates(&input), expected);
        input.reverse();
        assert_eq!(duplicates(&input), expected);
        input.rotate_left(2);
        assert_eq!(duplicates(&input), expected);
    }

    #[test]
    fn no_candidates_means_no_retirements() {
        assert!(duplicates(&[]).is_empty());
    }

    #[test]
    fn a_hundred_thousand_candidates_dedup_without_pairwise_comparison() {
        let sources = [Ninjaone, Level, Intune, Entra];
        let mut input: Vec<DedupCandidate> = (0..100_000)
            .map(|i: i64| {
                let source = sources[(i % 4) as usize];
                if i % 2 == 0 {
                    // Pairs of sources share a serial: (0 ninjaone, 2 intune), (4, 6), ...
                    with_serial(i, source, &format!("SN{:06}", i / 4))
                } else {
                    // Serial-less machines sharing hostname and MAC in pairs (1 level, 3 entra).
                    let n = i / 4;
                    let mac = format!(
                        "02:00:00:{:02x}:{:02x}:{:02x}",
                        n >> 16,
                        (n >> 8) & 0xff,
                        n & 0xff
                    );
                    with_host(i, source, &format!("pc-{n}"), &mac)
                }
            })
            .collect();
        // A pathological bucket: many serial-less Entra copies of one hostname and MAC.
        input.extend((100_000..110_000).map(|i| with_host(i, Entra, "kiosk", "02:aa:bb:cc:dd:ee")));
        input.push(with_host(110_000, Intune, "kiosk", "02:aa:bb:cc:dd:ee"));

        let got = duplicates(&input);
        assert_eq!(got.len(), 25_000 + 25_000 + 10_000);
        assert!(got.windows(2).all(|w| w[0].loser < w[1].loser));
        assert!(got
            .iter()
            .filter(|r| r.loser.0 >= 100_000)
            .all(|r| r.winner == AssetId(110_000)));
    }
}
