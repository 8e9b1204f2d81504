//! `audit` on generated estates: all-igw-ingress and all ENI pairs.
//! Run: `cargo bench --no-default-features --bench audit`
//! (VPCREACH_BENCH_ENIS=1000,5000 to choose sizes; default 1000,5000).

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use vpcreach::audit;
use vpcreach::snapshot;
use vpcreach::synth::{generate, EstateSpec};
use vpcreach::topology::Topology;

fn bench(c: &mut Criterion) {
    let sizes: Vec<usize> = std::env::var("VPCREACH_BENCH_ENIS")
        .unwrap_or_else(|_| "1000,5000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let igw = snapshot::scope_shapes::parse_scope(
        Path::new("all-igw-ingress"),
        audit::scope::built_in("all-igw-ingress").unwrap(),
        "all-igw-ingress",
    )
    .unwrap();
    let pairs = snapshot::scope_shapes::parse_scope(
        Path::new("all-eni-pairs"),
        include_str!("../docs/scopes/all-eni-pairs.json"),
        "all-eni-pairs",
    )
    .unwrap();
    let mut g = c.benchmark_group("audit");
    g.sample_size(10);
    for n in sizes {
        let docs = generate(&EstateSpec::scaled(n));
        let snap = snapshot::load_documents(docs.iter().map(|(a, b)| (a.as_str(), b.as_str())))
            .expect("generated snapshot loads");
        let topo = Topology::new(&snap.network);
        g.bench_function(format!("all-igw-ingress/{n}"), |b| {
            b.iter(|| audit::audit(&topo, &igw).unwrap())
        });
        g.bench_function(format!("all-eni-pairs/{n}"), |b| {
            b.iter(|| audit::audit(&topo, &pairs).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
