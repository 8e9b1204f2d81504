//! `whatif` at CI size (5,000 ENIs, `EstateSpec::scaled(5000)`): one SG
//! rule that opens tcp/5432 from 10.0.0.0/8 to a db group of 13 ENIs
//! (thousands of pairs gained, each explained), and the same rule from
//! 192.0.2.0/24, which opens nothing (the class walks alone).
//! Run: `cargo bench --no-default-features --bench whatif`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use vpcreach::snapshot::{self, change_file};
use vpcreach::synth::{generate, EstateSpec};
use vpcreach::whatif::{self, WhatifOptions};

/// `AuthorizeSecurityGroupIngress` on `sg-000000c0000000002` (vpc-0-db-2).
fn change(cidr: &str) -> change_file::ChangeFile {
    let json = format!(
        r#"[{{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "sg-000000c0000000002",
             "IpPermissions": [{{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                                "IpRanges": [{{"CidrIp": "{cidr}"}}]}}]}}]"#
    );
    change_file::parse(Path::new("open-5432.json"), json).expect("change parses")
}

fn bench(c: &mut Criterion) {
    let docs = generate(&EstateSpec::scaled(5000));
    let snap = snapshot::load_documents(docs.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .expect("generated snapshot loads");
    let mut g = c.benchmark_group("whatif");
    g.sample_size(10);
    for (name, cidr) in [
        ("opens_5432/5000", "10.0.0.0/8"),
        ("opens_nothing/5000", "192.0.2.0/24"),
    ] {
        let after = change(cidr)
            .apply(&snap.network)
            .expect("change applies")
            .network;
        g.bench_function(name, |b| {
            b.iter(|| {
                whatif::compare(&snap.network, &after, &WhatifOptions::default())
                    .expect("no intents or scope")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
