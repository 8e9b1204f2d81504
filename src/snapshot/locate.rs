//! Where in the snapshot's files a resource is described: for SARIF
//! locations. A plain text scan, done once for the ids asked about.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// For each id, the first file and 1-based line that defines it (the line
/// holding `"NetworkInterfaceId": "eni-…"` and the like), preferring files
/// that are not instance reservations (which repeat ENI ids).
pub fn locate_ids(files: &[PathBuf], ids: &BTreeSet<String>) -> HashMap<String, (PathBuf, usize)> {
    let mut found: HashMap<String, (PathBuf, usize)> = HashMap::new();
    let mut ordered: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let texts: Vec<Option<String>> = ordered
        .iter()
        .map(|f| std::fs::read_to_string(f).ok())
        .collect();
    let mut order: Vec<usize> = (0..ordered.len()).collect();
    order.sort_by_key(|&i| {
        texts[i]
            .as_deref()
            .is_some_and(|t| t.contains("\"Reservations\""))
    });
    let keys = [
        "\"NetworkInterfaceId\"",
        "\"InternetGatewayId\"",
        "\"VpcPeeringConnectionId\"",
    ];
    for i in order {
        let Some(text) = &texts[i] else { continue };
        let file = ordered[i].to_path_buf();
        // Minified files are one line: count lines up to each hit.
        let mut line_starts = vec![0usize];
        line_starts.extend(text.match_indices('\n').map(|(o, _)| o + 1));
        for key in keys {
            for (o, _) in text.match_indices(key) {
                let rest = &text[o + key.len()..];
                let rest = rest.trim_start_matches([' ', ':', '\t', '\n', '\r']);
                let Some(rest) = rest.strip_prefix('"') else {
                    continue;
                };
                let Some(end) = rest.find('"') else { continue };
                let id = &rest[..end];
                if ids.contains(id) && !found.contains_key(id) {
                    let line = line_starts.partition_point(|&s| s <= o);
                    found.insert(id.to_string(), (file.clone(), line));
                }
            }
        }
        if found.len() == ids.len() {
            break;
        }
    }
    ordered.clear();
    found
}
