//! Load + `path` on a generated estate (issue 2: 10,000 ENIs, 1,000 SGs,
//! 200 subnets). Run: `cargo bench --no-default-features --bench path`.

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
}

criterion_group!(benches, bench);
criterion_main!(benches);
