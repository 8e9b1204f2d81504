//! `vpcreach flows` throughput on a generated gzip'd log over the 10,000-ENI
//! estate (EstateSpec::medium). Criterion iterates on 400,000 records in 4
//! files; the 10-million-record figure is measured once with the release
//! binary (see docs/flows.md). Run:
//! `cargo bench --no-default-features --bench flows`.

use std::io::Write;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flate2::{write::GzEncoder, Compression};
use vpcreach::flows::{self, gen, Attributor, Options};
use vpcreach::snapshot;
use vpcreach::synth::{generate, EstateSpec};
use vpcreach::topology::Topology;

const RECORDS: usize = 400_000;
const FILES: usize = 4;

fn bench(c: &mut Criterion) {
    let docs = generate(&EstateSpec::medium());
    let snap = snapshot::load_documents(docs.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .expect("generated snapshot loads");
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..FILES {
        let f = std::fs::File::create(dir.path().join(format!("flows-{i}.log.gz"))).unwrap();
        let mut gz = GzEncoder::new(f, Compression::default());
        let spec = gen::LogSpec {
            records: RECORDS / FILES,
            seed: i as u64 + 1,
            ..Default::default()
        };
        gen::write_log(&snap.network, &spec, &mut gz).unwrap();
        gz.finish().unwrap().flush().unwrap();
    }
    let topo = Topology::new(&snap.network);
    let inputs = flows::collect_inputs(&[dir.path().to_path_buf()]).unwrap();

    let mut g = c.benchmark_group("flows");
    g.throughput(Throughput::Elements(RECORDS as u64));
    g.sample_size(10);
    g.bench_function("text_summary_400k_gzip_records_10k_enis", |b| {
        b.iter(|| {
            // A fresh attributor each time: compiled rules and caches are
            // part of the cost.
            let attr = Attributor::new(&topo);
            flows::run(
                &attr,
                &inputs,
                &Options::default(),
                None,
                &mut std::io::sink(),
                &vpcreach::progress::Silent,
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
