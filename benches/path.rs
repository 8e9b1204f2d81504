//! Load + `path` on a generated estate (issue 2: 10,000 ENIs, 1,000 SGs,
//! 200 subnets), and a cold `path` at CI size (issue 13: 5,000 ENIs read
//! from files on disk, model, indexes and one question, as a fresh process
//! does). Run: `cargo bench --no-default-features --bench path`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use vpcreach::analysis::{path, PathQuery, ProtocolChoice};
use vpcreach::snapshot;
use vpcreach::synth::{generate, EstateSpec};
use vpcreach::topology::Topology;

fn bench(c: &mut Criterion) {
    let docs = generate(&EstateSpec::medium());
    let bytes: usize = docs.iter().map(|(_, t)| t.len()).sum();
    let load = || {
        snapshot::load_documents(docs.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .expect("generated snapshot loads")
    };

    let mut g = c.benchmark_group("load");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("medium_estate", |b| b.iter(load));
    g.finish();

    let snap = load();
    let topo = Topology::new(&snap.network);
    c.bench_function("topology/medium_estate", |b| {
        b.iter(|| Topology::new(&snap.network))
    });

    // Two ENIs in peered VPCs (db tier to app tier), all ports; and one to the internet.
    let enis: Vec<&String> = snap
        .network
        .network_interfaces
        .keys()
        .filter(|k| !k.starts_with("eni-00000f"))
        .collect();
    let src = enis[1].clone();
    let dst = enis[enis.len() / 2].clone();
    let cross = PathQuery {
        source: src.clone(),
        destination: dst,
        protocol: ProtocolChoice::Number(6),
        dport: None,
        sport: None,
        source_ip: None,
        destination_ip: None,
    };
    let internet = PathQuery {
        destination: "8.8.8.8".into(),
        dport: Some((443, 443)),
        ..cross.clone()
    };
    c.bench_function("path/eni_to_eni_all_ports", |b| {
        b.iter(|| path::analyze(&topo, &cross).expect("resolves"))
    });
    c.bench_function("path/eni_to_internet_via_nat", |b| {
        b.iter(|| path::analyze(&topo, &internet).expect("resolves"))
    });
    cold_path(c);
}

/// Files on disk → snapshot → topology → one ENI → ENI question.
fn cold_path(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("vpcreach-bench-cold-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    for (name, text) in generate(&EstateSpec::scaled(5000)) {
        std::fs::write(dir.join(name), text).expect("estate written");
    }
    let enis: Vec<String> = snapshot::load(&dir)
        .expect("estate loads")
        .network
        .network_interfaces
        .keys()
        .filter(|k| !k.starts_with("eni-00000f"))
        .cloned()
        .collect();
    let query = PathQuery {
        source: enis[1].clone(),
        destination: enis[enis.len() / 2].clone(),
        protocol: ProtocolChoice::Number(6),
        dport: Some((5432, 5432)),
        sport: None,
        source_ip: None,
        destination_ip: None,
    };
    let mut g = c.benchmark_group("cold_path");
    g.sample_size(10);
    g.bench_function("load_model_one_path/5000", |b| {
        b.iter(|| {
            let snap = snapshot::load(&dir).expect("estate loads");
            let topo = Topology::new(&snap.network);
            path::analyze(&topo, &query).expect("resolves")
        })
    });
    g.finish();
    std::fs::remove_dir_all(&dir).ok();
}

criterion_group!(benches, bench);
criterion_main!(benches);
